#include "shadow/mirror_policy.h"

#include <algorithm>

#include "core/http_message.h"

namespace parity::shadow {
namespace {

bool listed(const std::vector<std::string>& methods, std::string_view method) {
  return std::any_of(methods.begin(), methods.end(), [&](const std::string& m) { return iequals(m, method); });
}

}  // namespace

bool is_safe_method(std::string_view method) {
  return iequals(method, "GET") || iequals(method, "HEAD") || iequals(method, "OPTIONS");
}

MirrorDecision decide_mirror(const config::Config& config, const config::RouteConfig& route, std::string_view method,
                             double sample, double resample) {
  MirrorDecision decision;
  if (!config.mirror.enabled || route.mirror == false) return decision;
  if (!listed(config.mirror.methods, method) && !listed(route.mirror_methods, method)) return decision;
  if (sample * 100.0 >= config.mirror.sample_percent) return decision;
  decision.mirror = true;
  const auto& noise = config.compare.noise;
  decision.resample_legacy = noise.learn && is_safe_method(method) && resample * 100.0 < noise.resample_percent;
  return decision;
}

}  // namespace parity::shadow
