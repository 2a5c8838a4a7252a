#include "gateway/protect/admission.h"

#include <algorithm>

#include "core/http_message.h"

namespace parity::gateway::protect {
namespace {

// "Bearer <token>" (scheme case-insensitive); empty when the header is something else.
std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() || !iequals(authorization.substr(0, kScheme.size()), kScheme)) return {};
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

BucketParams params(double rps, double burst) { return {rps, burst > 0 ? burst : std::max(1.0, rps)}; }

}  // namespace

std::shared_ptr<const Policies> make_policies(const config::Config& c, std::string& error) {
  auto p = std::make_shared<Policies>();
  if (c.auth.api_keys) {
    p->api_keys = std::make_unique<ApiKeySet>(c.auth.api_keys->values);
    p->api_key_header = c.auth.api_keys->header;
  }
  if (c.auth.jwt) {
    JwtSettings s{c.auth.jwt->hs256_secret, c.auth.jwt->rs256_public_key_pem, c.auth.jwt->audience,
                  std::chrono::seconds(c.auth.jwt->leeway_s)};
    p->jwt = JwtVerifier::create(std::move(s), error);
    if (!p->jwt) {
      error = "auth." + error;
      return nullptr;
    }
  }
  if (c.cors) p->cors = CorsSettings{c.cors->origins, c.cors->methods, c.cors->headers, c.cors->max_age_s};
  return p;
}

Admission admit(const config::Config& c, const Policies& p, RateLimiter& limiter, const RequestFacts& r,
                std::chrono::system_clock::time_point now, std::chrono::steady_clock::time_point steady_now) {
  Admission a;
  if (p.cors) {
    auto cors = evaluate_cors(*p.cors, {r.method, r.origin, r.cors_request_method, r.cors_request_headers});
    if (cors.kind == CorsDecision::Kind::preflight_allowed) {
      // Browsers send preflights without credentials: answered here, never forwarded.
      a.status = 204;
      a.headers = std::move(cors.headers);
      return a;
    }
    if (cors.kind == CorsDecision::Kind::preflight_denied) {
      a.status = 403;
      a.type = "cors_forbidden";
      a.reason = "cors_forbidden";
      a.message = "CORS preflight refused: " + cors.reason;
      return a;
    }
    a.headers = std::move(cors.headers);  // Access-Control-Allow-Origin for an allowed origin
  }
  bool key_ok = false;
  if (c.auth.enabled()) {
    key_ok = p.api_keys && p.api_keys->contains(r.api_key);
    bool ok = key_ok;
    std::string why;
    if (!ok && p.jwt) {
      auto token = bearer_token(r.authorization);
      if (!token.empty()) {
        auto result = p.jwt->verify(token, now);
        ok = result.status == JwtStatus::ok;
        why = result.reason;
      }
    }
    if (!ok) {
      a.status = 401;
      a.type = "unauthorized";
      a.reason = "unauthorized";
      if (!why.empty()) {
        a.message = "invalid bearer token: " + why;
      } else if (p.api_keys && !r.api_key.empty()) {
        a.message = "invalid API key";
      } else {
        a.message = p.api_keys && p.jwt ? "an API key (" + p.api_key_header + ") or a bearer token is required"
                    : p.api_keys       ? "an API key (" + p.api_key_header + ") is required"
                                       : "a bearer token is required";
      }
      if (p.jwt) a.headers.emplace_back("WWW-Authenticate", "Bearer");
      return a;
    }
  }
  // Bucket key: the verified API key when configured so, else the client address. Never logged.
  std::string who = c.rate_limit.key == "api_key" && key_ok ? "k:" + std::string(r.api_key) : "a:" + std::string(r.client);
  auto deny = [&](std::chrono::milliseconds wait) {
    a.status = 429;
    a.type = "rate_limited";
    a.reason = "rate_limited";
    a.retry_after = std::max<std::chrono::seconds>(std::chrono::seconds(1),
                                                   std::chrono::ceil<std::chrono::seconds>(wait));
    a.message = "rate limit exceeded; retry after " + std::to_string(a.retry_after.count()) + " s";
    a.headers.emplace_back("Retry-After", std::to_string(a.retry_after.count()));
    return a;
  };
  if (!r.route.empty()) {
    for (const auto& limit : c.rate_limit.routes) {
      if (limit.route != r.route) continue;
      auto d = limiter.admit("r:" + limit.route + "\n" + who, params(limit.requests_per_second, limit.burst), steady_now);
      if (!d.allowed) return deny(d.retry_after);
    }
  }
  if (c.rate_limit.requests_per_second > 0) {
    auto d = limiter.admit(who, params(c.rate_limit.requests_per_second, c.rate_limit.burst), steady_now);
    if (!d.allowed) return deny(d.retry_after);
  }
  return a;
}

}  // namespace parity::gateway::protect
