#pragma once
// The gateway's protection policies in one decision, taken on a request's head before its body is
// read: CORS preflight, then access (API key or JWT), then rate limits. Pure apart from the rate
// limiter's state; the clock is passed in.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "gateway/protect/api_key.h"
#include "gateway/protect/cors.h"
#include "gateway/protect/jwt.h"
#include "gateway/protect/rate_limiter.h"

namespace parity::gateway::protect {

// What a config turns into (keys hashed, the RSA key parsed); lives in the config snapshot.
struct Policies {
  std::unique_ptr<ApiKeySet> api_keys;  // null = no API-key check
  std::string api_key_header;
  std::unique_ptr<JwtVerifier> jwt;     // null = no JWT check
  std::optional<CorsSettings> cors;
};
// nullptr and `error` when the JWT key cannot be used.
std::shared_ptr<const Policies> make_policies(const config::Config& config, std::string& error);

// The parts of a request head the policies look at.
struct RequestFacts {
  std::string_view method;
  std::string_view route;          // matched route's name; empty = no route
  std::string_view client;         // peer address
  std::string_view origin;
  std::string_view authorization;  // the Authorization header
  std::string_view api_key;        // the configured API-key header
  std::string_view cors_request_method;
  std::string_view cors_request_headers;
};

struct Admission {
  int status = 0;         // 0 = let the request through; else answer it with this status
  std::string_view type;  // error type for the error format ("" for an allowed preflight's 204)
  std::string message;
  std::string_view reason;  // metric label of a rejection: rate_limited, unauthorized, cors_forbidden
  std::chrono::seconds retry_after{0};  // 429: whole seconds, at least 1
  std::vector<std::pair<std::string, std::string>> headers;  // CORS and WWW-Authenticate headers
};

Admission admit(const config::Config& config, const Policies& policies, RateLimiter& limiter,
                const RequestFacts& request, std::chrono::system_clock::time_point now,
                std::chrono::steady_clock::time_point steady_now);

}  // namespace parity::gateway::protect
