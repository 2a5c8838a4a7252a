#include "gateway/upstream/circuit_breaker.h"

#include <algorithm>

namespace parity::upstream {

const char* to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half_open";
  }
  return "closed";
}

bool CircuitBreaker::probe_due(TimePoint now) const {
  const auto open_for = std::chrono::milliseconds(config_.open_ms);
  if (state_ == BreakerState::open) return now - opened_at_ >= open_for;
  // A probe whose outcome never came back (cancelled, lost) must not hold the breaker half-open for
  // ever: after another open_ms a new probe may go.
  if (state_ == BreakerState::half_open) return !probe_in_flight_ || now - probe_started_ >= open_for;
  return true;
}

bool CircuitBreaker::would_allow(TimePoint now) const {
  if (config_.failures <= 0 || state_ == BreakerState::closed) return true;
  return probe_due(now);
}

bool CircuitBreaker::allow(TimePoint now) {
  if (config_.failures <= 0) {
    state_ = BreakerState::closed;
    return true;
  }
  if (state_ == BreakerState::closed) return true;
  if (!probe_due(now)) return false;
  state_ = BreakerState::half_open;
  probe_in_flight_ = true;
  probe_started_ = now;
  return true;
}

void CircuitBreaker::on_success() {
  state_ = BreakerState::closed;
  failures_ = 0;
  probe_in_flight_ = false;
}

bool CircuitBreaker::on_failure(TimePoint now) {
  ++failures_;
  if (config_.failures <= 0) return false;
  if (state_ == BreakerState::half_open || (state_ == BreakerState::closed && failures_ >= config_.failures)) {
    state_ = BreakerState::open;
    opened_at_ = now;
    probe_in_flight_ = false;
    return true;
  }
  return false;
}

void CircuitBreaker::on_abandoned() {
  if (state_ == BreakerState::half_open) probe_in_flight_ = false;
}

bool CircuitBreaker::is_failure_status(int status) const {
  const auto& listed = config_.failure_statuses;
  return std::find(listed.begin(), listed.end(), status) != listed.end();
}

}  // namespace parity::upstream
