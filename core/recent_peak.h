#pragma once
// The highest value seen over the last one to two windows (two buckets, rotated by the caller's clock):
// how many exchanges a connection pool had in flight at once lately. Not thread-safe (one per event
// loop, as the pools are); no clock of its own.
#include <algorithm>
#include <chrono>
#include <cstddef>

namespace parity {

class RecentPeak {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit RecentPeak(std::chrono::steady_clock::duration window) : window_(window) {}

  void note(std::size_t value, TimePoint now) {
    rotate(now);
    current_ = std::max(current_, value);
  }
  // The peak of the current window and the one before it: at least one whole window of history.
  std::size_t value(TimePoint now) {
    rotate(now);
    return std::max(current_, previous_);
  }

 private:
  void rotate(TimePoint now) {
    if (now - window_start_ < window_) return;
    // A window with nothing noted in it is a window of zeros; two of them forget everything.
    previous_ = now - window_start_ < 2 * window_ ? current_ : 0;
    current_ = 0;
    window_start_ = now;
  }

  std::chrono::steady_clock::duration window_;
  TimePoint window_start_{};
  std::size_t current_ = 0;
  std::size_t previous_ = 0;
};

}  // namespace parity
