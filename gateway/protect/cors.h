#pragma once
// CORS for browsers calling the gateway from other origins: preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered by the gateway itself; an actual request from an allowed
// origin gets Access-Control-Allow-Origin on its response. Pure: no I/O.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parity::gateway::protect {

struct CorsSettings {
  std::vector<std::string> origins;  // exact origins ("https://app.example.com") or "*"
  std::vector<std::string> methods;  // allowed methods, upper case
  std::vector<std::string> headers;  // allowed request headers, lower case
  int max_age_s = 600;
};

struct CorsRequest {
  std::string_view method;
  std::string_view origin;           // empty = not a cross-origin request
  std::string_view request_method;   // Access-Control-Request-Method
  std::string_view request_headers;  // Access-Control-Request-Headers (comma-separated)
};

struct CorsDecision {
  enum class Kind { none, preflight_allowed, preflight_denied, actual };
  Kind kind = Kind::none;
  std::vector<std::pair<std::string, std::string>> headers;  // to add to the response
  std::string reason;                                        // why a preflight was denied
};

CorsDecision evaluate_cors(const CorsSettings& settings, const CorsRequest& request);

}  // namespace parity::gateway::protect
