#include <catch2/catch.hpp>

#include "gateway/guard.h"
#include "tests/unit/store/store_test_support.h"

using parity::config::GuardConfig;
using parity::gateway::CutoverGuard;
using parity::store::testing::FakeClock;
using namespace std::chrono_literals;

namespace {

GuardConfig errors_over(double rate, int window_s = 30, int min_requests = 20) {
  GuardConfig g;
  g.max_error_rate = rate;
  g.window_s = window_s;
  g.min_requests = min_requests;
  return g;
}

}  // namespace

TEST_CASE("guard: trips once when the error rate exceeds the bound with enough requests") {
  FakeClock clock;
  CutoverGuard guard(clock);
  guard.arm(errors_over(0.2), true);
  int trips = 0;
  std::string reason;
  guard.set_trip_handler([&](const std::string& r) {
    ++trips;
    reason = r;
  });
  // 19 requests, all errors: below min_requests, no decision yet.
  for (int i = 0; i < 19; ++i) CHECK_FALSE(guard.observe_request(true));
  auto tripped = guard.observe_request(true);
  REQUIRE(tripped);
  CHECK(*tripped == "error rate 1.00 > 0.20 over 30 s (20 requests)");
  CHECK(trips == 1);
  CHECK(reason == *tripped);
  CHECK_FALSE(guard.armed());
  // Disarmed: further errors are ignored until it is armed again.
  CHECK_FALSE(guard.observe_request(true));
  CHECK(trips == 1);
}

TEST_CASE("guard: a rate at or under the bound does not trip") {
  FakeClock clock;
  CutoverGuard guard(clock);
  guard.arm(errors_over(0.2, 30, 10), true);
  // Every 5th request fails: the rate never exceeds 0.2 at any point.
  for (int i = 0; i < 100; ++i) CHECK_FALSE(guard.observe_request(i % 5 == 4));
  CHECK(guard.armed());
  CHECK(guard.window().requests == 100);
  CHECK(guard.window().errors == 20);
}

TEST_CASE("guard: old observations leave the sliding window") {
  FakeClock clock;
  CutoverGuard guard(clock);
  guard.arm(errors_over(0.5, 10, 10), true);
  for (int i = 0; i < 9; ++i) CHECK_FALSE(guard.observe_request(true));
  clock.advance(11s);  // those 9 errors are out of the window now
  CHECK(guard.window().requests == 0);
  for (int i = 0; i < 9; ++i) CHECK_FALSE(guard.observe_request(false));
  CHECK_FALSE(guard.observe_request(true));  // 1 error in 10 requests
  CHECK(guard.armed());
}

TEST_CASE("guard: mismatch rate over compared exchanges") {
  FakeClock clock;
  CutoverGuard guard(clock);
  GuardConfig g;
  g.max_mismatch_rate = 0.5;
  g.min_requests = 4;
  guard.arm(g, true);
  CHECK_FALSE(guard.observe_request(true));  // no error bound configured: requests alone never trip
  CHECK_FALSE(guard.observe_verdict(true));
  CHECK_FALSE(guard.observe_verdict(true));
  CHECK_FALSE(guard.observe_verdict(true));
  auto tripped = guard.observe_verdict(false);  // 3 of 4
  REQUIRE(tripped);
  CHECK(tripped->find("mismatch rate 0.75 > 0.50") == 0);
}

TEST_CASE("guard: disarmed or unconfigured it counts nothing, re-arming starts an empty window") {
  FakeClock clock;
  CutoverGuard guard(clock);
  CHECK_FALSE(guard.observe_request(true));
  guard.arm(std::nullopt, true);
  CHECK_FALSE(guard.armed());
  guard.arm(errors_over(0.2, 30, 2), false);
  CHECK_FALSE(guard.observe_request(true));
  CHECK(guard.window().requests == 0);
  guard.arm(errors_over(0.2, 30, 2), true);
  CHECK_FALSE(guard.observe_request(true));
  guard.arm(errors_over(0.2, 30, 2), false);
  guard.arm(errors_over(0.2, 30, 2), true);
  CHECK(guard.window().requests == 0);
  CHECK_FALSE(guard.observe_request(true));
  CHECK(guard.observe_request(true));
}
