#include "store/jsonl_sink.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "store/record_reader.h"
#include "store_test_support.h"

namespace parity::store {
namespace {

using namespace std::chrono_literals;
using testing::CapturedLog;
using testing::count_of;
using testing::eventually;
using testing::FakeClock;
using testing::make_record;
using testing::TempDir;

JsonlSinkOptions options_for(const std::filesystem::path& dir) {
  JsonlSinkOptions o;
  o.directory = dir;
  o.buffer.flush_interval = std::chrono::hours(1);
  o.warn_interval = 10s;
  return o;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("records are appended as JSON lines and read back", "[jsonl_sink]") {
  TempDir tmp;
  const auto dir = tmp.path() / "nested" / "store";  // created on demand
  auto clock = std::make_shared<FakeClock>();
  {
    JsonlSink sink(options_for(dir), nullptr, clock);
    for (int i = 0; i < 3; ++i) sink.write(make_record(i));
    sink.flush();
    CHECK(sink.stats().written == 3);
    CHECK(sink.file() == dir / "records.jsonl");
  }
  {
    JsonlSink again(options_for(dir), nullptr, clock);  // appends, never truncates
    again.write(make_record(3));
  }
  const auto text = slurp(dir / "records.jsonl");
  CHECK(count_of(text, "\n") == 4);

  std::vector<Record> records;
  const auto result = read_records(dir, records);
  REQUIRE(result.ok);
  CHECK(result.malformed == 0);
  REQUIRE(records.size() == 4);
  CHECK(records[1].request_id == "req-1");
  CHECK(records[1].verdict == compare::Verdict::mismatch);
  REQUIRE(records[1].differences.size() == 1);
  CHECK(records[1].differences[0].pointer == "/name");
  CHECK(records[3].candidate.latency_ms == 9.25);
}

TEST_CASE("the destructor writes queued records (shutdown flush)", "[jsonl_sink]") {
  TempDir tmp;
  {
    JsonlSink sink(options_for(tmp.path()), nullptr, std::make_shared<FakeClock>());
    for (int i = 0; i < 100; ++i) sink.write(make_record(i));
  }
  std::vector<Record> records;
  REQUIRE(read_records(tmp.path(), records).ok);
  CHECK(records.size() == 100);
}

TEST_CASE("the flush interval writes without an explicit flush", "[jsonl_sink]") {
  TempDir tmp;
  auto options = options_for(tmp.path());
  options.buffer.flush_interval = 20ms;
  JsonlSink sink(options, nullptr, std::make_shared<FakeClock>());
  sink.write(make_record(1));
  CHECK(eventually([&] { return count_of(slurp(tmp.path() / "records.jsonl"), "\n") == 1; }));
}

TEST_CASE("invalid UTF-8 in a value does not break the write path", "[jsonl_sink]") {
  TempDir tmp;
  JsonlSink sink(options_for(tmp.path()), nullptr, std::make_shared<FakeClock>());
  auto r = make_record(1);
  r.differences[0].legacy = std::string("bad \xff\xfe bytes");
  sink.write(r);
  sink.flush();
  CHECK(sink.stats().written == 1);
  std::vector<Record> records;
  read_records(tmp.path(), records);
  REQUIRE(records.size() == 1);
  CHECK(records[0].differences[0].legacy.get<std::string>().find("bad ") == 0);
}

TEST_CASE("an uncreatable store path counts failures, warns rate-limited and keeps going", "[jsonl_sink]") {
  CapturedLog log;
  auto clock = std::make_shared<FakeClock>();
  JsonlSink sink(options_for("/proc/parity/store"), log.logger, clock);

  sink.write(make_record(0));
  sink.write(make_record(1));
  sink.flush();
  auto stats = sink.stats();
  CHECK(stats.failed == 2);
  CHECK(stats.written == 0);
  CHECK(stats.queued == 0);
  CHECK(count_of(log.text(), "warning store: cannot create directory /proc/parity/store") == 1);
  CHECK(count_of(log.text(), "2 records lost since the last warning") == 1);

  // Within the warning interval: counted, not logged again.
  sink.write(make_record(2));
  sink.flush();
  CHECK(sink.stats().failed == 3);
  CHECK(count_of(log.text(), "warning store:") == 1);

  // After it: one more warning that carries the failures in between.
  clock->advance(11s);
  sink.write(make_record(3));
  sink.flush();
  CHECK(sink.stats().failed == 4);
  CHECK(count_of(log.text(), "warning store:") == 2);
  CHECK(count_of(log.text(), "2 records lost since the last warning") == 2);

  // The sink still accepts records (the gateway keeps serving); nothing piles up in memory.
  for (int i = 0; i < 50; ++i) sink.write(make_record(i));
  sink.flush();
  CHECK(sink.stats().queued == 0);
  CHECK(sink.stats().failed == 54);
}

TEST_CASE("a full disk counts the batch as failed", "[jsonl_sink]") {
  if (!std::filesystem::exists("/dev/full")) {
    WARN("no /dev/full on this machine");
    return;
  }
  CapturedLog log;
  auto options = options_for("/dev");
  options.file_name = "full";  // every write fails with ENOSPC
  JsonlSink sink(options, log.logger, std::make_shared<FakeClock>());
  sink.write(make_record(0));
  sink.flush();
  CHECK(sink.stats().failed == 1);
  CHECK(log.text().find("No space left on device") != std::string::npos);
}

TEST_CASE("the sink reopens the file once the path becomes writable", "[jsonl_sink]") {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  { std::ofstream(dir) << "a file where the directory should be"; }
  CapturedLog log;
  JsonlSink sink(options_for(dir), log.logger, std::make_shared<FakeClock>());
  sink.write(make_record(0));
  sink.flush();
  CHECK(sink.stats().failed == 1);

  std::filesystem::remove(dir);
  sink.write(make_record(1));
  sink.flush();
  CHECK(sink.stats().written == 1);
  CHECK(log.text().find("info store: writing to " + (dir / "records.jsonl").string() +
                        " again; 1 records were lost meanwhile") != std::string::npos);
  std::vector<Record> records;
  REQUIRE(read_records(dir, records).ok);
  REQUIRE(records.size() == 1);
  CHECK(records[0].request_id == "req-1");
}

TEST_CASE("jsonl_sink_options follows the config's store section", "[jsonl_sink]") {
  config::StoreConfig store;
  store.path = "/var/lib/parity";
  store.flush_interval_ms = 250;
  const auto options = jsonl_sink_options(store);
  CHECK(options.directory == "/var/lib/parity");
  CHECK(options.file_name == "records.jsonl");
  CHECK(options.buffer.flush_interval == 250ms);
}

}  // namespace parity::store
