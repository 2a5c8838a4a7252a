#pragma once
// The automatic cut-over guard. While the candidate is served (the guard is "armed"), it counts, in a
// sliding window of one-second buckets, the candidate's client-visible errors per request and the
// mismatches per compared exchange. When a rate exceeds its bound with at least min_requests
// observations in the window, it trips once: it disarms itself and returns the reason, and the caller
// switches back to legacy. Thread-safe (event loops report requests, diff workers report verdicts).
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/clock.h"

namespace parity::gateway {

class CutoverGuard {
 public:
  explicit CutoverGuard(const Clock& clock) : clock_(clock) {}

  // Arms with `config` (or disarms with nullopt / armed=false); re-arming starts an empty window.
  void arm(const std::optional<config::GuardConfig>& config, bool armed);
  bool armed() const;

  // Called (outside the guard's lock, on the observing thread) by the observation that trips.
  using TripHandler = std::function<void(const std::string& reason)>;
  void set_trip_handler(TripHandler handler);

  // A request answered by the candidate; `error` = 5xx or the upstream failed. Returns the trip reason
  // when this observation trips the guard (exactly one caller gets it, and the handler is called).
  std::optional<std::string> observe_request(bool error);
  // A record of an exchange served by the candidate: `mismatch` = verdict mismatch.
  std::optional<std::string> observe_verdict(bool mismatch);

  struct Window {
    std::uint64_t requests = 0, errors = 0, compared = 0, mismatches = 0;
  };
  Window window() const;  // the counts in the current window (status, tests)

 private:
  struct Bucket {
    std::int64_t second = 0;
    Window counts;
  };
  Bucket& current_bucket();   // requires mutex_
  Window sum() const;         // requires mutex_
  std::optional<std::string> evaluate();  // requires mutex_
  std::optional<std::string> observe(bool is_request, bool bad);

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::optional<config::GuardConfig> config_;
  bool armed_ = false;
  std::deque<Bucket> buckets_;
  TripHandler on_trip_;  // oldest first, at most window_s of them
};

}  // namespace parity::gateway
