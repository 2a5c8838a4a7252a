#include <catch2/catch.hpp>

#include "store/record_filter.h"
#include "store_test_support.h"

using namespace parity::store;

namespace {

std::chrono::system_clock::time_point at(long long ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

std::string bound(const std::string& text, long long now_ms = 0) {
  std::string error;
  auto b = parse_time_bound(text, at(now_ms), error);
  return b ? *b : "error: " + error;
}

}  // namespace

TEST_CASE("time bounds are parsed into the records' timestamp format", "[record_filter]") {
  CHECK(bound("2026-11-25T18:00:00Z") == "2026-11-25T18:00:00.000Z");
  CHECK(bound("2026-11-25T18:00:00.5Z") == "2026-11-25T18:00:00.500Z");
  CHECK(bound("2026-11-25T19:30:00+01:30") == "2026-11-25T18:00:00.000Z");
  CHECK(bound("2026-11-25") == "2026-11-25T00:00:00.000Z");
  // Finer than a millisecond rounds up, so `ts >= since` selects the same records on both stores.
  CHECK(bound("2026-11-25T18:00:00.0001Z") == "2026-11-25T18:00:00.001Z");
  CHECK(bound("90s", 100'000) == "1970-01-01T00:00:10.000Z");
  CHECK(bound("2h", 3 * 3'600'000) == "1970-01-01T01:00:00.000Z");
  CHECK(bound("1d", 2 * 86'400'000LL) == "1970-01-02T00:00:00.000Z");
}

TEST_CASE("bad time bounds are errors that say what is accepted", "[record_filter]") {
  for (const char* bad : {"", "yesterday", "2026-11-25T18:00:00", "2026-13-01", "15x", "2026-11-25T18:00Z",
                          "2026-11-25T18:00:00Zjunk"}) {
    INFO(bad);
    CHECK(bound(bad).find("error: ") == 0);
    CHECK(bound(bad).find("RFC 3339") != std::string::npos);
  }
}

TEST_CASE("a filter selects by window and instance", "[record_filter]") {
  auto r = testing::make_record(1);
  r.ts = "2026-11-25T18:00:00.000Z";
  r.instance = "gw-a";
  RecordFilter f;
  CHECK(f.empty());
  CHECK(f.matches(r));
  f.since = "2026-11-25T18:00:00.000Z";
  CHECK(f.matches(r));  // inclusive
  f.until = "2026-11-25T18:00:00.000Z";
  CHECK_FALSE(f.matches(r));  // exclusive
  f.until = "2026-11-25T18:00:00.001Z";
  CHECK(f.matches(r));
  f.instances = {"gw-b", "gw-c"};
  CHECK_FALSE(f.matches(r));
  f.instances.push_back("gw-a");
  CHECK(f.matches(r));
}
