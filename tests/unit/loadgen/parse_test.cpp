#include <catch2/catch.hpp>

#include "loadgen/parse.h"

using namespace parity::loadgen;
using std::chrono::milliseconds;

TEST_CASE("parse: durations", "[loadgen]") {
  std::string error;
  CHECK(parse_duration("500ms", error) == milliseconds(500));
  CHECK(parse_duration("2s", error) == milliseconds(2000));
  CHECK(parse_duration("1.5", error) == milliseconds(1500));
  CHECK(parse_duration("1m", error) == milliseconds(60000));
  CHECK_FALSE(parse_duration("2h", error));
  CHECK(error.find("2h") != std::string::npos);
  CHECK_FALSE(parse_duration("-1s", error));
  CHECK_FALSE(parse_duration("", error));
}

TEST_CASE("parse: concurrency sweeps", "[loadgen]") {
  std::string error;
  CHECK(parse_concurrency("10,50,100,200", error) == std::vector<int>{10, 50, 100, 200});
  CHECK(parse_concurrency("1", error) == std::vector<int>{1});
  CHECK_FALSE(parse_concurrency("10,,20", error));
  CHECK_FALSE(parse_concurrency("0", error));
  CHECK_FALSE(parse_concurrency("ten", error));
  CHECK(error.find("ten") != std::string::npos);
}

TEST_CASE("parse: --pid target=PID", "[loadgen]") {
  std::string error;
  auto p = parse_pid("legacy=1234", error);
  REQUIRE(p);
  CHECK(p->first == "legacy");
  CHECK(p->second == 1234);
  CHECK_FALSE(parse_pid("backend=12", error));
  CHECK_FALSE(parse_pid("candidate=x", error));
  CHECK_FALSE(parse_pid("1234", error));
}
