#include "store/record_reader.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "store_test_support.h"

namespace parity::store {
namespace {

using testing::make_record;
using testing::TempDir;

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string line(int i) { return to_json(make_record(i)).dump() + "\n"; }

}  // namespace

TEST_CASE("malformed lines are skipped and counted, blank lines ignored", "[record_reader]") {
  TempDir tmp;
  const std::string torn = line(3).substr(0, 40);  // a write cut short
  write_file(tmp.path() / "records.jsonl", line(1) + "\n" + "not json\n" + "{\"verdict\":\"maybe\"}\n" + "[1,2]\n" +
                                               line(2) + torn + "\n" + "   \r\n" + line(4) + torn);
  std::vector<Record> records;
  const auto result = read_records(tmp.path(), records);
  REQUIRE(result.ok);
  CHECK(result.file == tmp.path() / "records.jsonl");
  CHECK(result.records == 3);
  CHECK(result.malformed == 5);
  CHECK(result.malformed_lines == std::vector<std::uint64_t>{3, 4, 5, 7, 10});
  REQUIRE(records.size() == 3);
  CHECK(records[0].request_id == "req-1");
  CHECK(records[1].request_id == "req-2");
  CHECK(records[2].request_id == "req-4");
}

TEST_CASE("a file path is read as is", "[record_reader]") {
  TempDir tmp;
  const auto file = tmp.path() / "other.jsonl";
  write_file(file, line(1) + line(2));
  std::size_t seen = 0;
  const auto result = for_each_record(file, [&](Record&& r) {
    ++seen;
    CHECK(r.route == "/v1/files/{file_id}");
  });
  CHECK(result.ok);
  CHECK(result.records == 2);
  CHECK(seen == 2);
}

TEST_CASE("a missing records file is an error, an empty one is not", "[record_reader]") {
  TempDir tmp;
  std::vector<Record> records;
  auto missing = read_records(tmp.path(), records);
  CHECK_FALSE(missing.ok);
  CHECK(missing.error == "no records file at " + (tmp.path() / "records.jsonl").string());

  auto nowhere = read_records(tmp.path() / "nope", records);
  CHECK_FALSE(nowhere.ok);

  write_file(tmp.path() / "records.jsonl", "");
  auto empty = read_records(tmp.path(), records);
  CHECK(empty.ok);
  CHECK(empty.records == 0);
  CHECK(records.empty());
}

TEST_CASE("records_file resolves a directory to its records.jsonl", "[record_reader]") {
  TempDir tmp;
  CHECK(records_file(tmp.path()) == tmp.path() / "records.jsonl");
  CHECK(records_file(tmp.path() / "x.jsonl") == tmp.path() / "x.jsonl");
}

}  // namespace parity::store
