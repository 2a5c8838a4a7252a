#pragma once
// Per-backend protection policies: several instances with a balancing policy, active health checks,
// a circuit breaker per instance and retries. Plain values, read from `backends.<side>`.
#include <cstdint>
#include <string>
#include <vector>

namespace parity::config {

enum class Balance { round_robin, random, weighted };
const char* to_string(Balance balance);

// Active health checks: every interval_ms each instance's path is probed; an instance is taken out
// after `unhealthy_after` failed probes in a row and back in after `healthy_after` good ones.
struct HealthCheckConfig {
  int interval_ms = 0;  // 0 = no active checks (every instance counts as healthy)
  std::string path;     // empty = the backend's health_path
  int timeout_ms = 2000;
  int unhealthy_after = 2;
  int healthy_after = 1;
};

// Opens after `failures` consecutive failed exchanges with an instance (connect/TLS/reset/timeout/
// protocol errors, and answers with one of `failure_statuses`); after open_ms one request probes it
// (half-open): success closes, failure re-opens.
struct BreakerConfig {
  int failures = 0;  // 0 = no breaker
  int open_ms = 5000;
  std::vector<int> failure_statuses;  // e.g. 502, 503, 504; empty = an HTTP answer is never a failure
};

// Retries of a failed exchange on another instance (when there is one), only for idempotent methods
// and only when nothing reached the client yet. backoff_ms doubles per attempt.
struct RetryConfig {
  int attempts = 0;  // extra attempts after the first; 0 = no retries
  int backoff_ms = 50;
};

}  // namespace parity::config
