#include <catch2/catch.hpp>

#include "replay/replay_plan.h"

using namespace parity;
using namespace parity::replay;

namespace {

store::TrafficRequest at(std::string client, int ms) {
  store::TrafficRequest r;
  r.request.method = "GET";
  r.request.target = "/v1/models?x=" + std::to_string(ms);
  r.client = std::move(client);
  r.ts = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'095'840'000LL + ms));
  return r;
}

}  // namespace

TEST_CASE("the mismatch threshold takes a count or a percentage") {
  std::string error;
  auto count = parse_threshold("3", error);
  REQUIRE(count);
  CHECK_FALSE(count->exceeded(3, 100));
  CHECK(count->exceeded(4, 100));
  auto pct = parse_threshold("2.5%", error);
  REQUIRE(pct);
  CHECK_FALSE(pct->exceeded(5, 200));  // 2.5 %
  CHECK(pct->exceeded(6, 200));
  CHECK_FALSE(pct->exceeded(0, 0));
  auto zero = parse_threshold("0", error);
  REQUIRE(zero);
  CHECK(zero->exceeded(1, 1000));
  for (const char* bad : {"", "%", "-1", "abc", "5x", "101%"}) {
    INFO(bad);
    CHECK_FALSE(parse_threshold(bad, error));
    CHECK(error.find("--max-mismatch") != std::string::npos);
  }
}

TEST_CASE("lanes: one per request, or one per client in file order with --keep-order") {
  std::vector<store::TrafficRequest> reqs = {at("a", 0), at("b", 1), at("a", 2), at("", 3), at("b", 4), at("", 5)};
  auto free_lanes = plan_lanes(reqs, false);
  REQUIRE(free_lanes.size() == 6);
  CHECK(free_lanes[4] == std::vector<std::size_t>{4});
  auto ordered = plan_lanes(reqs, true);
  REQUIRE(ordered.size() == 3);
  CHECK(ordered[0] == std::vector<std::size_t>{0, 2});
  CHECK(ordered[1] == std::vector<std::size_t>{1, 4});
  CHECK(ordered[2] == std::vector<std::size_t>{3, 5});
}

TEST_CASE("pacing: recorded offsets divided by the speed factor") {
  using std::chrono::microseconds;
  std::vector<store::TrafficRequest> reqs = {at("a", 500), at("a", 100), at("a", 2100)};
  auto first = earliest_ts(reqs);
  REQUIRE(first);
  CHECK(due_offset(reqs[0], first, 1.0) == microseconds(400'000));
  CHECK(due_offset(reqs[2], first, 2.0) == microseconds(1'000'000));
  CHECK(due_offset(reqs[1], first, 1.0) == microseconds(0));
  CHECK(due_offset(reqs[2], first, 0.0) == microseconds(0));  // as fast as possible
  store::TrafficRequest no_ts;
  CHECK(due_offset(no_ts, first, 1.0) == microseconds(0));
  CHECK_FALSE(earliest_ts({no_ts}));
}

TEST_CASE("replayed exchanges are reported under the captured route, else the name, else the path") {
  auto r = at("a", 0);
  CHECK(report_route(r) == "/v1/models");
  r.name = "models";
  CHECK(report_route(r) == "models");
  r.route = "/v1/models/{model}";
  CHECK(report_route(r) == "/v1/models/{model}");
}
