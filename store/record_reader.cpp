#include "store/record_reader.h"

#include <fstream>
#include <system_error>

#include "store/jsonl_sink.h"

namespace parity::store {
namespace {

constexpr std::size_t kMalformedLinesKept = 10;

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

std::filesystem::path records_file(const std::filesystem::path& dir_or_file) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir_or_file, ec)) return dir_or_file / kRecordsFileName;
  return dir_or_file;
}

ReadResult for_each_record(const std::filesystem::path& dir_or_file, const std::function<void(Record&&)>& on_record) {
  ReadResult result;
  result.file = records_file(dir_or_file);
  std::error_code ec;
  if (!std::filesystem::exists(result.file, ec)) {
    result.error = "no records file at " + result.file.string();
    return result;
  }
  if (std::filesystem::is_directory(result.file, ec)) {
    result.error = result.file.string() + " is a directory";
    return result;
  }
  std::ifstream in(result.file, std::ios::binary);
  if (!in) {
    result.error = "cannot read " + result.file.string();
    return result;
  }
  result.ok = true;
  std::string line;
  std::uint64_t line_number = 0;
  try {
    while (std::getline(in, line)) {
      ++line_number;
      if (blank(line)) continue;
      auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      auto record = json.is_discarded() ? std::nullopt : record_from_json(json);
      if (!record) {
        ++result.malformed;
        if (result.malformed_lines.size() < kMalformedLinesKept) result.malformed_lines.push_back(line_number);
        continue;
      }
      ++result.records;
      on_record(std::move(*record));
    }
    if (in.bad()) {
      result.ok = false;
      result.error = "read error in " + result.file.string() + " after line " + std::to_string(line_number);
    }
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = "cannot read " + result.file.string() + ": " + e.what();
  }
  return result;
}

ReadResult read_records(const std::filesystem::path& dir_or_file, std::vector<Record>& out) {
  return for_each_record(dir_or_file, [&out](Record&& r) { out.push_back(std::move(r)); });
}

}  // namespace parity::store
