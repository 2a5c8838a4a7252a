#include "gateway/protect/cors.h"

#include <algorithm>

#include "core/http_message.h"

namespace parity::gateway::protect {
namespace {

bool origin_allowed(const CorsSettings& s, std::string_view origin) {
  return std::any_of(s.origins.begin(), s.origins.end(), [&](const std::string& o) { return o == "*" || o == origin; });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

CorsDecision evaluate_cors(const CorsSettings& s, const CorsRequest& r) {
  CorsDecision d;
  if (r.origin.empty()) return d;
  const bool allowed = origin_allowed(s, r.origin);
  // "*" is echoed as the caller's origin so a response varies by Origin either way (and caches agree).
  const std::string allow_origin(r.origin);
  if (r.method == "OPTIONS" && !r.request_method.empty()) {
    d.kind = CorsDecision::Kind::preflight_denied;
    if (!allowed) {
      d.reason = "origin not allowed";
      return d;
    }
    if (std::find(s.methods.begin(), s.methods.end(), r.request_method) == s.methods.end()) {
      d.reason = "method not allowed: " + std::string(r.request_method.substr(0, 32));
      return d;
    }
    std::string_view rest = r.request_headers;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto name = to_lower(trim_ows(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (name.empty()) continue;
      if (std::find(s.headers.begin(), s.headers.end(), name) == s.headers.end()) {
        d.reason = "header not allowed: " + name.substr(0, 64);
        return d;
      }
    }
    d.kind = CorsDecision::Kind::preflight_allowed;
    d.headers = {{"Access-Control-Allow-Origin", allow_origin},
                 {"Access-Control-Allow-Methods", join(s.methods)},
                 {"Access-Control-Max-Age", std::to_string(s.max_age_s)},
                 {"Vary", "Origin"}};
    if (!s.headers.empty()) d.headers.emplace_back("Access-Control-Allow-Headers", join(s.headers));
    return d;
  }
  if (allowed) {
    d.kind = CorsDecision::Kind::actual;
    d.headers = {{"Access-Control-Allow-Origin", allow_origin}, {"Vary", "Origin"}};
  }
  return d;
}

}  // namespace parity::gateway::protect
