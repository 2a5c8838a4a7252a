#pragma once
// Whether a failed upstream exchange is tried again, and after what pause. Pure: the random value
// for the jitter is passed in.
#include <chrono>
#include <string_view>

#include "config/backend_policy.h"

namespace parity::upstream {

// GET, HEAD, OPTIONS, PUT, DELETE, TRACE (RFC 9110 9.2.2).
bool is_idempotent(std::string_view method);

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds backoff{0};
};

struct AttemptOutcome {
  bool failed = false;            // a transport failure (connect, TLS, reset, timeout, protocol)
  bool response_started = false;  // a response head arrived: bytes may have reached the client
};

// `attempts_done` counts the attempts so far (1 after the first). The backoff doubles per attempt
// from backoff_ms, with jitter in [50 %, 100 %] from `random01`.
RetryDecision decide_retry(const config::RetryConfig& config, int attempts_done, std::string_view method,
                           AttemptOutcome outcome, double random01);

}  // namespace parity::upstream
