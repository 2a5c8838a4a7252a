#include <catch2/catch.hpp>

#include "gateway/upstream/circuit_breaker.h"

using namespace parity::upstream;
using namespace std::chrono_literals;

namespace {
const CircuitBreaker::TimePoint t0{std::chrono::seconds(100)};
}

TEST_CASE("the breaker opens after N consecutive failures and refuses until open_ms passed") {
  CircuitBreaker b({.failures = 3, .open_ms = 1000, .failure_statuses = {}});
  CHECK(b.allow(t0));
  CHECK_FALSE(b.on_failure(t0));
  CHECK_FALSE(b.on_failure(t0));
  b.on_success();  // a success resets the count
  CHECK_FALSE(b.on_failure(t0));
  CHECK_FALSE(b.on_failure(t0));
  CHECK(b.state() == BreakerState::closed);
  CHECK(b.on_failure(t0));  // the third in a row opens it
  CHECK(b.state() == BreakerState::open);
  CHECK_FALSE(b.would_allow(t0 + 999ms));
  CHECK_FALSE(b.allow(t0 + 999ms));
}

TEST_CASE("half-open lets exactly one probe through, its success closes the breaker") {
  CircuitBreaker b({.failures = 1, .open_ms = 1000, .failure_statuses = {}});
  b.on_failure(t0);
  CHECK(b.would_allow(t0 + 1000ms));
  CHECK(b.allow(t0 + 1000ms));
  CHECK(b.state() == BreakerState::half_open);
  CHECK_FALSE(b.allow(t0 + 1001ms));  // the probe is in flight
  b.on_success();
  CHECK(b.state() == BreakerState::closed);
  CHECK(b.allow(t0 + 1002ms));
}

TEST_CASE("a failed probe opens the breaker again for another open_ms") {
  CircuitBreaker b({.failures = 2, .open_ms = 1000, .failure_statuses = {}});
  b.on_failure(t0);
  b.on_failure(t0);
  REQUIRE(b.allow(t0 + 1500ms));
  CHECK(b.on_failure(t0 + 1500ms));  // one failure is enough in half-open
  CHECK(b.state() == BreakerState::open);
  CHECK_FALSE(b.allow(t0 + 2400ms));
  CHECK(b.allow(t0 + 2500ms));
}

TEST_CASE("an abandoned or lost probe does not hold the breaker half-open for ever") {
  CircuitBreaker b({.failures = 1, .open_ms = 1000, .failure_statuses = {}});
  b.on_failure(t0);
  REQUIRE(b.allow(t0 + 1000ms));
  b.on_abandoned();  // the client left: another request may probe
  CHECK(b.allow(t0 + 1001ms));
  // That probe never reports: after another open_ms a new one may go.
  CHECK_FALSE(b.allow(t0 + 1500ms));
  CHECK(b.allow(t0 + 2001ms));
}

TEST_CASE("failures 0 disables the breaker") {
  CircuitBreaker b({.failures = 0, .open_ms = 1000, .failure_statuses = {}});
  for (int i = 0; i < 100; ++i) CHECK_FALSE(b.on_failure(t0));
  CHECK(b.allow(t0));
  CHECK(b.state() == BreakerState::closed);
}

TEST_CASE("only the configured statuses count as failed answers") {
  CircuitBreaker none({.failures = 1, .open_ms = 1000, .failure_statuses = {}});
  CHECK_FALSE(none.is_failure_status(503));
  CircuitBreaker some({.failures = 1, .open_ms = 1000, .failure_statuses = {502, 503}});
  CHECK(some.is_failure_status(503));
  CHECK(some.is_failure_status(502));
  CHECK_FALSE(some.is_failure_status(500));
  CHECK_FALSE(some.is_failure_status(200));
}
