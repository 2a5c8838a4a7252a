#include "gateway/protect/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace parity::gateway::protect {
namespace {

double refill(double tokens, std::chrono::steady_clock::duration elapsed, const BucketParams& p) {
  double seconds = std::max(0.0, std::chrono::duration<double>(elapsed).count());
  return std::min(p.burst, tokens + seconds * p.rate_per_s);
}

}  // namespace

RateDecision RateLimiter::admit(const std::string& key, BucketParams params, TimePoint now) {
  params.burst = std::max(1.0, params.burst);
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) make_room(now);
    it = buckets_.emplace(key, Bucket{params.burst, now, params}).first;
  }
  Bucket& b = it->second;
  b.tokens = refill(b.tokens, now - b.last, params);
  b.last = std::max(b.last, now);
  b.params = params;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {true, {}};
  }
  double wait_s = params.rate_per_s > 0 ? (1.0 - b.tokens) / params.rate_per_s : 3600.0;
  auto wait = std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000.0)));
  return {false, std::max(wait, std::chrono::milliseconds(1))};
}

void RateLimiter::make_room(TimePoint now) {
  std::erase_if(buckets_, [now](const auto& entry) {
    const Bucket& b = entry.second;
    return refill(b.tokens, now - b.last, b.params) >= b.params.burst;
  });
  if (buckets_.size() >= max_keys_) {
    buckets_.clear();
    overflows_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace parity::gateway::protect
