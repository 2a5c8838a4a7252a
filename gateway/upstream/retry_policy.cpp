#include "gateway/upstream/retry_policy.h"

#include <algorithm>
#include <array>

namespace parity::upstream {

bool is_idempotent(std::string_view method) {
  static constexpr std::array<std::string_view, 6> kIdempotent = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE",
                                                                   "TRACE"};
  return std::find(kIdempotent.begin(), kIdempotent.end(), method) != kIdempotent.end();
}

RetryDecision decide_retry(const config::RetryConfig& config, int attempts_done, std::string_view method,
                           AttemptOutcome outcome, double random01) {
  RetryDecision d;
  if (!outcome.failed || outcome.response_started || !is_idempotent(method)) return d;
  if (attempts_done < 1 || attempts_done > config.attempts) return d;
  d.retry = true;
  // Doubling capped at 2^10 so a large attempts value cannot overflow.
  double base = static_cast<double>(config.backoff_ms) * static_cast<double>(1 << std::min(attempts_done - 1, 10));
  random01 = std::clamp(random01, 0.0, 1.0);
  d.backoff = std::chrono::milliseconds(static_cast<long long>(base * (0.5 + 0.5 * random01)));
  return d;
}

}  // namespace parity::upstream
