#pragma once
// Token buckets keyed by a string (client address, API key, route + client), refilled continuously at
// `rate` tokens per second up to `burst`. Thread-safe; time is passed in so tests drive it.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parity::gateway::protect {

struct BucketParams {
  double rate_per_s = 0;  // tokens added per second (> 0)
  double burst = 1;       // bucket size: requests allowed at once after a quiet period (>= 1)
};

struct RateDecision {
  bool allowed = true;
  std::chrono::milliseconds retry_after{0};  // when denied: time until one token is back
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // At most `max_keys` buckets are kept; see admit().
  explicit RateLimiter(std::size_t max_keys = 100000) : max_keys_(max_keys) {}

  // Takes one token from `key`'s bucket (a new key starts full). When the table is full, buckets that
  // have refilled completely (equivalent to absent) are dropped first; if none can be dropped the table
  // is cleared: under a flood of distinct keys the limiter fails open rather than growing without bound.
  RateDecision admit(const std::string& key, BucketParams params, TimePoint now);
  std::size_t size() const;
  // How many times the table was cleared because it was full of active keys.
  std::size_t overflows() const { return overflows_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens;
    TimePoint last;
    BucketParams params;
  };
  void make_room(TimePoint now);

  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::atomic<std::size_t> overflows_{0};
};

}  // namespace parity::gateway::protect
