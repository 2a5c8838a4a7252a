#pragma once
// Route matching: exact paths, {param} templates and prefixes; first match wins.
// Pure functions over the config's routes, shared by validation and the gateway's router.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace parity::config {

struct RouteMatch {
  std::size_t index = 0;        // position in Config::routes
  std::string upstream_target;  // target to send upstream (after strip_prefix/rewrite), query kept
};

// Matches `method` and `target` (path + optional query) against the routes in order.
std::optional<RouteMatch> match_route(const std::vector<RouteConfig>& routes, std::string_view method,
                                      std::string_view target);

// True when `route` accepts `method` (an empty method list accepts all).
bool route_allows_method(const RouteConfig& route, std::string_view method);

// Checks route syntax and reports routes that can never match because an earlier one takes all their
// requests. Each error is (key, reason) with keys like "routes[2].path".
std::vector<ConfigError> validate_routes(const std::vector<RouteConfig>& routes);

}  // namespace parity::config
