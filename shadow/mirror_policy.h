#pragma once
// Whether to mirror a request: a pure function of the config snapshot, the route, the method and
// random values drawn by the caller (so tests pass them in instead of seeding anything).
#include <string_view>

#include "config/config.h"

namespace parity::shadow {

struct MirrorDecision {
  bool mirror = false;           // send a copy to the shadow
  bool resample_legacy = false;  // also send it a second time to legacy, to learn noise
};

// `sample` and `resample` are uniform in [0, 1). Unsafe methods are mirrored only where listed
// (mirror.methods or the route's mirror_methods); mirror.enabled is the kill switch over everything.
MirrorDecision decide_mirror(const config::Config& config, const config::RouteConfig& route, std::string_view method,
                             double sample, double resample);

// GET, HEAD and OPTIONS: the only requests sent twice to legacy for noise learning.
bool is_safe_method(std::string_view method);

}  // namespace parity::shadow
