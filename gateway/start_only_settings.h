#pragma once
// Settings read once when the gateway starts: the event loops, the admin listener, the record store's
// writers and the capture file are built from them. A reload may carry new values for them; the reload
// still applies everything else, and these changes are reported (warning + metric) instead of being
// dropped silently. (`listen` and `insecure_http` are stricter: a reload changing them is rejected.)
#include <string>
#include <vector>

#include "config/config.h"

namespace parity::gateway {

struct StartOnlyChange {
  std::string key;   // dotted config key, e.g. "store.path"
  std::string kept;  // the value still in force
  std::string asked; // the value the new config asks for
};

std::vector<StartOnlyChange> start_only_changes(const config::Config& running, const config::Config& next);

}  // namespace parity::gateway
