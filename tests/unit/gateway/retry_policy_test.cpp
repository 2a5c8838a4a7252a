#include <catch2/catch.hpp>

#include "gateway/upstream/health_tracker.h"
#include "gateway/upstream/retry_policy.h"

using namespace parity::upstream;
using namespace std::chrono_literals;

TEST_CASE("retries only idempotent methods, only failures, only before the response started") {
  parity::config::RetryConfig cfg{.attempts = 2, .backoff_ms = 100};
  CHECK(decide_retry(cfg, 1, "GET", {.failed = true, .response_started = false}, 1.0).retry);
  CHECK(decide_retry(cfg, 1, "PUT", {.failed = true, .response_started = false}, 1.0).retry);
  CHECK(decide_retry(cfg, 1, "DELETE", {.failed = true, .response_started = false}, 1.0).retry);
  CHECK_FALSE(decide_retry(cfg, 1, "POST", {.failed = true, .response_started = false}, 1.0).retry);
  CHECK_FALSE(decide_retry(cfg, 1, "PATCH", {.failed = true, .response_started = false}, 1.0).retry);
  CHECK_FALSE(decide_retry(cfg, 1, "GET", {.failed = true, .response_started = true}, 1.0).retry);
  CHECK_FALSE(decide_retry(cfg, 1, "GET", {.failed = false, .response_started = true}, 1.0).retry);
}

TEST_CASE("the number of retries is bounded by attempts") {
  parity::config::RetryConfig cfg{.attempts = 2, .backoff_ms = 100};
  CHECK(decide_retry(cfg, 1, "GET", {true, false}, 0.0).retry);
  CHECK(decide_retry(cfg, 2, "GET", {true, false}, 0.0).retry);
  CHECK_FALSE(decide_retry(cfg, 3, "GET", {true, false}, 0.0).retry);
  parity::config::RetryConfig none{.attempts = 0, .backoff_ms = 100};
  CHECK_FALSE(decide_retry(none, 1, "GET", {true, false}, 0.0).retry);
}

TEST_CASE("the backoff doubles per attempt with jitter between half and all of it") {
  parity::config::RetryConfig cfg{.attempts = 10, .backoff_ms = 100};
  CHECK(decide_retry(cfg, 1, "GET", {true, false}, 1.0).backoff == 100ms);
  CHECK(decide_retry(cfg, 1, "GET", {true, false}, 0.0).backoff == 50ms);
  CHECK(decide_retry(cfg, 2, "GET", {true, false}, 1.0).backoff == 200ms);
  CHECK(decide_retry(cfg, 3, "GET", {true, false}, 1.0).backoff == 400ms);
  CHECK(decide_retry(cfg, 3, "GET", {true, false}, 0.5).backoff == 300ms);
}

TEST_CASE("health: out after unhealthy_after failed probes in a row, back after healthy_after good ones") {
  HealthTracker h;
  CHECK(h.healthy());
  CHECK_FALSE(h.observe(false, 2, 2));
  CHECK_FALSE(h.observe(true, 2, 2));  // not in a row
  CHECK_FALSE(h.observe(false, 2, 2));
  CHECK(h.observe(false, 2, 2));
  CHECK_FALSE(h.healthy());
  CHECK_FALSE(h.observe(true, 2, 2));
  CHECK_FALSE(h.healthy());
  CHECK(h.observe(true, 2, 2));
  CHECK(h.healthy());
}
