#pragma once
// A circuit breaker for one backend instance. Closed: requests pass and consecutive failures are
// counted; `failures` in a row open it. Open: requests are refused until open_ms have passed, then
// one request probes the instance (half-open): success closes it, failure opens it again. Pure: the
// time is passed in; not thread-safe (InstanceState locks it).
#include <chrono>

#include "config/backend_policy.h"

namespace parity::upstream {

enum class BreakerState { closed, open, half_open };
const char* to_string(BreakerState state);

class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CircuitBreaker(config::BreakerConfig config = {}) : config_(config) {}
  void set_config(config::BreakerConfig config) { config_ = config; }

  // Whether a request may go to the instance now, without taking the half-open probe slot.
  bool would_allow(TimePoint now) const;
  // Whether a request may go now; in half-open, the first caller becomes the probe.
  bool allow(TimePoint now);
  // The outcome of a request that allow() let through. on_failure returns true when it opened the breaker.
  void on_success();
  bool on_failure(TimePoint now);
  // A request that ended without telling anything about the instance (the client left).
  void on_abandoned();

  // Whether an HTTP answer with this status counts as a failure (config failure_statuses).
  bool is_failure_status(int status) const;

  BreakerState state() const { return state_; }
  int consecutive_failures() const { return failures_; }

 private:
  bool probe_due(TimePoint now) const;

  config::BreakerConfig config_;
  BreakerState state_ = BreakerState::closed;
  int failures_ = 0;
  TimePoint opened_at_{};
  bool probe_in_flight_ = false;
  TimePoint probe_started_{};
};

}  // namespace parity::upstream
