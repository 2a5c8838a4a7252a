#pragma once
// Whether to capture a client request, and what of it reaches the capture file: pure functions of
// the config snapshot, the route and random values / times passed in by the caller (tests pass them).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/http_message.h"
#include "store/traffic_file.h"

namespace parity::shadow {

// `sample` is uniform in [0, 1). capture.enabled is the kill switch; a route's own `capture:` key
// wins over capture.routes (an empty list = every route).
bool decide_capture(const config::Config& config, const config::RouteConfig& route, double sample);

// capture.rate_per_s over all event loops: a token bucket holding up to one second of tokens.
// Thread-safe; time is passed in.
class CaptureRateLimit {
 public:
  // True when a capture may be taken at `now` under `rate_per_s` (<= 0: always).
  bool admit(double rate_per_s, std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  double tokens_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

// Where a request came from and when: the capture fields of a traffic line.
struct CaptureOrigin {
  std::chrono::system_clock::time_point ts;
  std::string client;
  std::string route;
  std::string request_id;
};

// The traffic line for a request as sent upstream (target = the routed target, without the backend's
// base path): secret headers (Authorization, Proxy-Authorization, Cookie, Set-Cookie, `redact`) are
// dropped, not masked, as are the headers the gateway or the replaying client set per hop (Host,
// Content-Length, Transfer-Encoding, X-Forwarded-*, X-Request-ID, X-Parity-*). The body keeps at most
// `max_body` bytes and is then marked truncated.
store::TrafficRequest make_capture(HttpRequest request, CaptureOrigin origin, std::size_t max_body,
                                   const std::vector<std::string>& redact);

}  // namespace parity::shadow
