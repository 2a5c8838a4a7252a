#include "shadow/capture_policy.h"

#include <algorithm>

#include "store/redact.h"

namespace parity::shadow {
namespace {

bool per_hop_header(std::string_view name) {
  return iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "x-request-id") || (name.size() >= 12 && iequals(name.substr(0, 12), "x-forwarded-")) ||
         (name.size() >= 9 && iequals(name.substr(0, 9), "x-parity-"));
}

}  // namespace

bool decide_capture(const config::Config& config, const config::RouteConfig& route, double sample) {
  const auto& capture = config.capture;
  if (!capture.enabled) return false;
  if (route.capture.has_value()) {
    if (!*route.capture) return false;
  } else if (!capture.routes.empty() &&
             std::find(capture.routes.begin(), capture.routes.end(), route.name) == capture.routes.end()) {
    return false;
  }
  return sample * 100.0 < capture.sample_percent;
}

bool CaptureRateLimit::admit(double rate_per_s, std::chrono::steady_clock::time_point now) {
  if (rate_per_s <= 0) return true;
  std::lock_guard lock(mutex_);
  const double burst = std::max(1.0, rate_per_s);
  if (!last_) {
    tokens_ = burst;
  } else if (now > *last_) {
    tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - *last_).count() * rate_per_s);
  }
  if (!last_ || now > *last_) last_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

store::TrafficRequest make_capture(HttpRequest request, CaptureOrigin origin, std::size_t max_body,
                                   const std::vector<std::string>& redact) {
  store::TrafficRequest out;
  auto& headers = request.headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const Header& h) {
                                 return store::is_secret_header(h.first, redact) || per_hop_header(h.first);
                               }),
                headers.end());
  if (request.body.size() > max_body) {
    request.body.resize(max_body);
    out.body_truncated = true;
  }
  out.request = std::move(request);
  out.ts = origin.ts;
  out.client = std::move(origin.client);
  out.route = std::move(origin.route);
  out.request_id = std::move(origin.request_id);
  return out;
}

}  // namespace parity::shadow
