#pragma once
// Clock interface so tests can inject time instead of reading the system clock.
#include <chrono>

namespace parity {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for record timestamps.
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time, for latencies and timeouts.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace parity
