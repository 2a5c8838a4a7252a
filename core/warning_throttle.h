#pragma once
// Lets a repeated warning through at most once per interval and counts what it held back, so a
// degraded mode under load logs one line per interval instead of one per request. Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace parity {

class WarningThrottle {
 public:
  explicit WarningThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // Returns the number of suppressed occurrences since the last one let through (>= 0) when this one
  // should be logged, or nullopt when it should be suppressed.
  std::optional<std::uint64_t> admit(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (last_ && now - *last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    last_ = now;
    auto held = suppressed_;
    suppressed_ = 0;
    return held;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace parity
