#include "config/routes.h"

#include <algorithm>

#include "core/http_message.h"

namespace parity::config {
namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

// Template `pattern` against a concrete path (or another template, whose params count as literals
// that only a param matches).
bool template_matches(std::string_view pattern, std::string_view path) {
  auto want = split_segments(pattern);
  auto got = split_segments(path);
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (is_param(want[i])) {
      if (got[i].empty()) return false;
      continue;
    }
    if (want[i] != got[i]) return false;
  }
  return true;
}

bool path_matches(const RouteConfig& route, std::string_view path) {
  if (!route.prefix.empty()) return path.starts_with(route.prefix);
  if (route.path.find('{') == std::string::npos) return route.path == path;
  return template_matches(route.path, path);
}

std::string rewrite_path(const RouteConfig& route, std::string_view path) {
  if (route.prefix.empty()) return std::string(path);
  if (!route.rewrite.empty()) return route.rewrite + std::string(path.substr(route.prefix.size()));
  if (!route.strip_prefix) return std::string(path);
  std::string rest(path.substr(route.prefix.size()));
  if (rest.empty() || rest.front() != '/') rest.insert(rest.begin(), '/');
  return rest;
}

// True when every method `later` accepts is also accepted by `earlier`.
bool methods_cover(const RouteConfig& earlier, const RouteConfig& later) {
  if (earlier.methods.empty()) return true;
  if (later.methods.empty()) return false;
  return std::all_of(later.methods.begin(), later.methods.end(),
                     [&](const std::string& m) { return route_allows_method(earlier, m); });
}

// True when `earlier` matches every path `later` could match.
bool paths_cover(const RouteConfig& earlier, const RouteConfig& later) {
  const std::string& later_pattern = later.prefix.empty() ? later.path : later.prefix;
  if (!earlier.prefix.empty()) {
    // A prefix covers anything whose literal start already begins with it.
    auto literal_end = later_pattern.find('{');
    std::string_view literal = std::string_view(later_pattern).substr(0, literal_end);
    return literal.starts_with(earlier.prefix);
  }
  if (!later.prefix.empty()) return false;  // an exact path never covers a whole prefix
  if (earlier.path.find('{') == std::string::npos) return earlier.path == later.path;
  return template_matches(earlier.path, later.path);
}

std::string describe(const RouteConfig& r) { return r.prefix.empty() ? "path " + r.path : "prefix " + r.prefix; }

}  // namespace

bool route_allows_method(const RouteConfig& route, std::string_view method) {
  if (route.methods.empty()) return true;
  return std::any_of(route.methods.begin(), route.methods.end(),
                     [&](const std::string& m) { return iequals(m, method); });
}

std::optional<RouteMatch> match_route(const std::vector<RouteConfig>& routes, std::string_view method,
                                      std::string_view target) {
  auto query_at = target.find('?');
  std::string_view path = target.substr(0, query_at);
  std::string_view query = query_at == std::string_view::npos ? std::string_view() : target.substr(query_at);
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const auto& route = routes[i];
    if (!route_allows_method(route, method) || !path_matches(route, path)) continue;
    return RouteMatch{i, rewrite_path(route, path) + std::string(query)};
  }
  return std::nullopt;
}

std::vector<ConfigError> validate_routes(const std::vector<RouteConfig>& routes) {
  std::vector<ConfigError> errors;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const auto& r = routes[i];
    std::string key = "routes[" + std::to_string(i) + "]";
    if (r.path.empty() == r.prefix.empty()) {
      errors.push_back({key, "set exactly one of `path` or `prefix`"});
      continue;
    }
    const std::string& pattern = r.path.empty() ? r.prefix : r.path;
    std::string pattern_key = key + (r.path.empty() ? ".prefix" : ".path");
    if (pattern.front() != '/') {
      errors.push_back({pattern_key, "must start with '/'"});
      continue;
    }
    bool bad_template = false;
    for (auto segment : split_segments(pattern)) {
      bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
      if (has_brace && (r.path.empty() || !is_param(segment) ||
                        segment.substr(1, segment.size() - 2).find_first_of("{}/") != std::string_view::npos)) {
        errors.push_back({pattern_key, "a {param} must be a whole path segment of a `path` (got '" +
                                           std::string(segment) + "')"});
        bad_template = true;
        break;
      }
    }
    if (bad_template) continue;
    if ((r.strip_prefix || !r.rewrite.empty()) && r.prefix.empty()) {
      errors.push_back({key, "strip_prefix and rewrite apply to `prefix` routes only"});
    }
    if (!r.rewrite.empty() && r.rewrite.front() != '/') errors.push_back({key + ".rewrite", "must start with '/'"});
    for (std::size_t j = 0; j < i; ++j) {
      const auto& earlier = routes[j];
      if (earlier.path.empty() == earlier.prefix.empty()) continue;
      if (methods_cover(earlier, r) && paths_cover(earlier, r)) {
        errors.push_back({key, "overlaps routes[" + std::to_string(j) + "] (" + describe(earlier) +
                                   "), which matches first every request this route would get"});
        break;
      }
    }
  }
  return errors;
}

}  // namespace parity::config
