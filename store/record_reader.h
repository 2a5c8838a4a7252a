#pragma once
// Reads records.jsonl back. Malformed lines (torn writes, garbage, other JSON) are skipped and counted;
// blank lines are ignored.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "store/record.h"

namespace parity::store {

struct ReadResult {
  std::filesystem::path file;  // the file that was read
  bool ok = false;             // false when the file is missing or unreadable; `error` says why
  std::string error;
  std::uint64_t records = 0;
  std::uint64_t malformed = 0;
  std::vector<std::uint64_t> malformed_lines;  // the first few line numbers (1-based), for messages
};

// A directory means <dir>/records.jsonl; anything else is taken as the file itself.
std::filesystem::path records_file(const std::filesystem::path& dir_or_file);

// Streams each record to `on_record` without holding the file in memory. Never throws.
ReadResult for_each_record(const std::filesystem::path& dir_or_file, const std::function<void(Record&&)>& on_record);

// Reads all records into memory.
ReadResult read_records(const std::filesystem::path& dir_or_file, std::vector<Record>& out);

}  // namespace parity::store
