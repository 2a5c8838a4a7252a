#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "compare/validate_rules.h"
#include "config/backend_policy_reader.h"
#include "config/protect_config.h"
#include "config/routes.h"
#include "core/http_message.h"
#include "config/url.h"
#include "config/yaml_reader.h"

namespace parity::config {
namespace {

namespace fs = std::filesystem;

constexpr std::initializer_list<const char*> kTopLevelKeys = {
    "listen", "insecure_http", "threads", "access_log", "instance", "tls",   "admin",
    "backends", "serve",     "mirror",  "guard", "routes",     "compare",  "store", "limits",
    "rate_limit", "auth", "cors", "capture", "trusted_proxies"};

// Environment variables and the dotted keys they override.
constexpr std::pair<const char*, const char*> kEnvKeys[] = {
    {"PARITY_LISTEN", "listen"},
    {"PARITY_INSECURE_HTTP", "insecure_http"},
    {"PARITY_THREADS", "threads"},
    {"PARITY_ACCESS_LOG", "access_log"},
    {"PARITY_INSTANCE", "instance"},
    {"PARITY_TLS_CERT", "tls.cert"},
    {"PARITY_TLS_KEY", "tls.key"},
    {"PARITY_TLS_MIN_VERSION", "tls.min_version"},
    {"PARITY_ADMIN_LISTEN", "admin.listen"},
    {"PARITY_LEGACY_URL", "backends.legacy.url"},
    {"PARITY_LEGACY_CA", "backends.legacy.ca"},
    {"PARITY_CANDIDATE_URL", "backends.candidate.url"},
    {"PARITY_CANDIDATE_CA", "backends.candidate.ca"},
    {"PARITY_SERVE", "serve"},
    {"PARITY_MIRROR_ENABLED", "mirror.enabled"},
    {"PARITY_MIRROR_SAMPLE_PERCENT", "mirror.sample_percent"},
    {"PARITY_STORE_PATH", "store.path"},
    {"PARITY_STORE_URL", "store.url"},
    {"PARITY_TLS_CLIENT_CA", "tls.client_ca"},
    {"PARITY_TLS_REQUIRE_CLIENT_CERT", "tls.require_client_cert"},
    {"PARITY_RATE_LIMIT_RPS", "rate_limit.requests_per_second"},
    {"PARITY_RATE_LIMIT_BURST", "rate_limit.burst"},
    {"PARITY_MAX_CONNECTIONS", "limits.max_connections"},
    {"PARITY_CAPTURE_ENABLED", "capture.enabled"},
    {"PARITY_CAPTURE_PATH", "capture.path"},
    {"PARITY_CAPTURE_SAMPLE_PERCENT", "capture.sample_percent"},
};

// Sets `dotted` ("a.b.c") in `root`, creating maps on the way. Values that look like YAML flow
// collections ("[GET, POST]") are parsed as such.
void set_dotted(YAML::Node root, const std::string& dotted, const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream ss(dotted);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  // yaml-cpp nodes are handles: walking with operator[] and reassigning would rebind, so recurse.
  std::function<void(YAML::Node, std::size_t)> walk = [&](YAML::Node node, std::size_t i) {
    if (i + 1 == parts.size()) {
      if (!value.empty() && (value.front() == '[' || value.front() == '{')) {
        try {
          node[parts[i]] = YAML::Load(value);
          return;
        } catch (const YAML::Exception&) {
          // fall through: keep it as a string, validation names the key
        }
      }
      node[parts[i]] = value;
      return;
    }
    YAML::Node child = node[parts[i]];
    if (!child.IsMap()) {
      node[parts[i]] = YAML::Node(YAML::NodeType::Map);
    }
    walk(node[parts[i]], i + 1);
  };
  walk(root, 0);
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

void check_readable_file(const std::string& path, const std::string& key, std::vector<ConfigError>& errors) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    errors.push_back({key, "file not found: " + path});
    return;
  }
  std::ifstream in(path);
  if (!in) errors.push_back({key, "cannot read file: " + path});
}

void read_backend(YamlReader& r, const YAML::Node& node, const std::string& key, BackendConfig& b) {
  r.known_keys(node, key, {"url", "ca", "verify", "timeout_ms", "connect_timeout_ms", "max_idle", "idle_timeout_ms",
                           "health_path",
                           "instances", "balance", "health_check", "circuit_breaker", "retries"});
  r.read(node, "url", key, b.url);
  r.read(node, "ca", key, b.ca);
  r.read(node, "verify", key, b.verify);
  r.read_positive(node, "timeout_ms", key, b.timeout_ms);
  r.read_positive(node, "connect_timeout_ms", key, b.connect_timeout_ms);
  r.read(node, "max_idle", key, b.max_idle);
  r.read_positive(node, "idle_timeout_ms", key, b.idle_timeout_ms);
  r.read(node, "health_path", key, b.health_path);
  read_backend_policy(r, node, key, b);
}

void read_route(YamlReader& r, const YAML::Node& node, const std::string& key, RouteConfig& route) {
  if (!node.IsMap()) {
    r.error(key, "must be a map like {path: /v1/models} or {prefix: /v1/}");
    return;
  }
  r.known_keys(node, key, {"name", "path", "prefix", "strip_prefix", "rewrite", "methods", "mirror_methods", "mirror",
                            "capture"});
  r.read(node, "name", key, route.name);
  r.read(node, "path", key, route.path);
  r.read(node, "prefix", key, route.prefix);
  r.read(node, "strip_prefix", key, route.strip_prefix);
  r.read(node, "rewrite", key, route.rewrite);
  r.read_methods(node, "methods", key, route.methods);
  r.read_methods(node, "mirror_methods", key, route.mirror_methods);
  if (node["mirror"]) {
    bool mirror = true;
    r.read(node, "mirror", key, mirror);
    route.mirror = mirror;
  }
  if (node["capture"]) {
    bool capture = true;
    r.read(node, "capture", key, capture);
    route.capture = capture;
  }
  if (route.name.empty()) route.name = route.path.empty() ? route.prefix : route.path;
}

// statuses: [[422, 400], …] — (legacy, candidate) status pairs an error format explains.
void read_status_pairs(YamlReader& r, const YAML::Node& format, const std::string& key,
                       std::vector<std::pair<int, int>>& out) {
  auto node = format["statuses"];
  if (!node) return;
  auto bad = [&] { r.error(key + ".statuses", "must be a list of [legacy, candidate] status pairs, e.g. [[422, 400]]"); };
  if (!node.IsSequence()) return bad();
  for (const auto& pair : node) {
    if (!pair.IsSequence() || pair.size() != 2) return bad();
    try {
      out.emplace_back(pair[0].as<int>(), pair[1].as<int>());
    } catch (const YAML::Exception&) {
      return bad();
    }
  }
}

void read_compare(YamlReader& r, const YAML::Node& node, compare::Rules& rules) {
  const std::string key = "compare";
  r.known_keys(node, key, {"ignore", "headers", "unordered", "number_tolerance", "error_formats", "noise"});
  r.read(node, "ignore", key, rules.ignore);
  if (r.read(node, "headers", key, rules.headers)) {
    for (auto& h : rules.headers) h = to_lower(h);
  }
  r.read(node, "unordered", key, rules.unordered);
  r.read(node, "number_tolerance", key, rules.number_tolerance);
  if (rules.number_tolerance < 0) r.error("compare.number_tolerance", "must be >= 0");
  if (auto formats = node["error_formats"]) {
    if (!formats.IsSequence()) {
      r.error("compare.error_formats", "must be a list of {legacy: …, candidate: …}");
    } else {
      for (std::size_t i = 0; i < formats.size(); ++i) {
        std::string fkey = "compare.error_formats[" + std::to_string(i) + "]";
        const auto& f = formats[i];
        if (!f.IsMap() || !f["legacy"] || !f["candidate"]) {
          r.error(fkey, "needs both `legacy` and `candidate` templates");
          continue;
        }
        r.known_keys(f, fkey, {"legacy", "candidate", "statuses"});
        compare::ErrorFormat format;
        try {
          format.legacy = yaml_to_json(f["legacy"]);
          format.candidate = yaml_to_json(f["candidate"]);
        } catch (const YAML::Exception& e) {
          r.error(fkey, std::string("templates must be JSON-like: ") + e.msg);
          continue;
        }
        read_status_pairs(r, f, fkey, format.statuses);
        rules.error_formats.push_back(std::move(format));
      }
    }
  }
  if (auto noise = node["noise"]) {
    const std::string nkey = "compare.noise";
    if (!noise.IsMap()) {
      r.error(nkey, "must be a map like {learn: true}");
    } else {
      r.known_keys(noise, nkey, {"learn", "resample_percent", "fields"});
      r.read(noise, "learn", nkey, rules.noise.learn);
      r.read_percent(noise, "resample_percent", nkey, rules.noise.resample_percent);
      r.read(noise, "fields", nkey, rules.noise.fields);
    }
  }
}

void read_admin(YamlReader& r, const YAML::Node& admin, AdminConfig& out) {
  r.known_keys(admin, "admin", {"listen", "token_env"});
  r.read(admin, "listen", "admin", out.listen);
  r.read(admin, "token_env", "admin", out.token_env);
}

// The admin API can switch traffic: it listens on loopback only.
void validate_admin(const AdminConfig& admin, YamlReader& r) {
  std::string reason;
  auto hp = parse_host_port(admin.listen, reason);
  if (!hp) {
    r.error("admin.listen", reason);
  } else if (hp->host != "localhost" && hp->host.rfind("127.", 0) != 0 && hp->host != "::1") {
    r.error("admin.listen", "must be a loopback address (127.0.0.1:PORT): the admin API can switch traffic");
  }
  if (admin.token_env.empty()) r.error("admin.token_env", "must name an environment variable");
}

void read_guard(YamlReader& r, const YAML::Node& node, Config& c) {
  const std::string key = "guard";
  r.known_keys(node, key, {"max_error_rate", "max_mismatch_rate", "window_s", "min_requests"});
  GuardConfig g;
  for (auto [name, field] : {std::pair{"max_error_rate", &g.max_error_rate},
                             std::pair{"max_mismatch_rate", &g.max_mismatch_rate}}) {
    double rate = 0;
    if (!r.read(node, name, key, rate)) continue;
    if (rate < 0 || rate > 1) {
      r.error(key + "." + name, "must be a rate between 0 and 1 (0.2 = 20 %)");
    } else {
      *field = rate;
    }
  }
  r.read_positive(node, "window_s", key, g.window_s);
  r.read_positive(node, "min_requests", key, g.min_requests);
  if (!g.max_error_rate && !g.max_mismatch_rate) {
    r.error(key, "needs max_error_rate and/or max_mismatch_rate (remove the section to turn the guard off)");
  }
  c.guard = g;
}

// store.url and store.queue. A url without an explicit path means PostgreSQL only (no records.jsonl).
void read_store_url(YamlReader& r, const YAML::Node& store, bool path_given, StoreConfig& out) {
  r.read(store, "queue", "store", out.queue);
  if (out.queue == 0) r.error("store.queue", "must be >= 1");
  if (out.path.empty()) r.error("store.path", "must not be empty");
  if (!r.read(store, "url", "store", out.url) || out.url.empty()) {
    out.url.clear();
    return;
  }
  if (out.url.rfind("postgres://", 0) != 0 && out.url.rfind("postgresql://", 0) != 0) {
    r.error("store.url", "must be a postgres:// or postgresql:// URL");
  } else if (out.url.find_first_of(" \t\r\n") != std::string::npos) {
    r.error("store.url", "must not contain whitespace");
  }
  out.jsonl = path_given;
}

Config read_config(YamlReader& r, const YAML::Node& root) {
  Config c;
  r.known_keys(root, "", kTopLevelKeys);
  r.read(root, "listen", "", c.listen);
  r.read(root, "insecure_http", "", c.insecure_http);
  r.read(root, "threads", "", c.threads);
  if (c.threads < 0) r.error("threads", "must be >= 0 (0 = one per core)");
  r.read(root, "access_log", "", c.access_log);
  r.read(root, "instance", "", c.instance);
  std::vector<std::string> proxies;
  if (r.read(root, "trusted_proxies", "", proxies)) {
    for (std::size_t i = 0; i < proxies.size(); ++i) {
      if (auto network = IpNetwork::parse(proxies[i])) {
        c.trusted_proxies.push_back(std::move(*network));
      } else {
        r.error("trusted_proxies[" + std::to_string(i) + "]",
                "'" + proxies[i] + "' is not an IP address or network (10.0.0.0/8, 192.168.1.7, fd00::/8)");
      }
    }
  }
  if (auto tls = r.section(root, "tls", "")) {
    r.known_keys(tls, "tls", {"cert", "key", "min_version", "client_ca", "require_client_cert"});
    r.read(tls, "client_ca", "tls", c.tls.client_ca);
    r.read(tls, "require_client_cert", "tls", c.tls.require_client_cert);
    r.read(tls, "cert", "tls", c.tls.cert);
    r.read(tls, "key", "tls", c.tls.key);
    r.read(tls, "min_version", "tls", c.tls.min_version);
  }
  if (auto admin = r.section(root, "admin", "")) read_admin(r, admin, c.admin);
  if (auto backends = r.section(root, "backends", "")) {
    r.known_keys(backends, "backends", {"legacy", "candidate"});
    if (auto legacy = r.section(backends, "legacy", "backends")) read_backend(r, legacy, "backends.legacy", c.legacy);
    if (auto cand = r.section(backends, "candidate", "backends")) {
      read_backend(r, cand, "backends.candidate", c.candidate);
    }
  }
  std::string serve = to_string(c.serve);
  if (r.read(root, "serve", "", serve)) {
    if (serve == "legacy") c.serve = Side::legacy;
    else if (serve == "candidate") c.serve = Side::candidate;
    else r.error("serve", "must be `legacy` or `candidate`, not '" + serve + "'");
  }
  if (auto mirror = r.section(root, "mirror", "")) {
    r.known_keys(mirror, "mirror", {"enabled", "sample_percent", "methods", "queue", "timeout_ms", "max_body_bytes",
                                       "max_bytes"});
    r.read(mirror, "enabled", "mirror", c.mirror.enabled);
    r.read_percent(mirror, "sample_percent", "mirror", c.mirror.sample_percent);
    r.read_methods(mirror, "methods", "mirror", c.mirror.methods);
    r.read(mirror, "queue", "mirror", c.mirror.queue);
    if (c.mirror.queue == 0) r.error("mirror.queue", "must be >= 1");
    r.read_positive(mirror, "timeout_ms", "mirror", c.mirror.timeout_ms);
    r.read(mirror, "max_body_bytes", "mirror", c.mirror.max_body_bytes);
    r.read(mirror, "max_bytes", "mirror", c.mirror.max_bytes);
    if (c.mirror.max_bytes == 0) r.error("mirror.max_bytes", "must be >= 1");
  }
  // section() answers a null node (which converts to true) when the key is absent: absent = no guard.
  if (auto guard = r.section(root, "guard", ""); guard.IsMap()) read_guard(r, guard, c);
  if (auto routes = root["routes"]) {
    if (!routes.IsSequence()) {
      r.error("routes", "must be a list of routes");
    } else {
      c.routes.clear();
      for (std::size_t i = 0; i < routes.size(); ++i) {
        RouteConfig route;
        read_route(r, routes[i], "routes[" + std::to_string(i) + "]", route);
        c.routes.push_back(std::move(route));
      }
      for (auto& e : validate_routes(c.routes)) r.error(e.key, e.reason);
    }
  }
  if (auto cmp = r.section(root, "compare", "")) read_compare(r, cmp, c.compare);
  if (auto store = r.section(root, "store", "")) {
    r.known_keys(store, "store", {"path", "sample_bytes", "flush_interval_ms", "redact_headers", "url", "queue"});
    const bool path_given = r.read(store, "path", "store", c.store.path);
    r.read(store, "sample_bytes", "store", c.store.sample_bytes);
    r.read_positive(store, "flush_interval_ms", "store", c.store.flush_interval_ms);
    r.read(store, "redact_headers", "store", c.store.redact_headers);
    read_store_url(r, store, path_given, c.store);
  }
  if (auto capture = r.section(root, "capture", ""); capture.IsMap()) read_capture(r, capture, c.capture);
  if (auto limits = r.section(root, "limits", "")) {
    r.known_keys(limits, "limits", {"max_body_bytes", "max_header_bytes", "request_timeout_ms", "idle_timeout_ms",
                                    "max_connections", "drain_timeout_ms", "max_header_count"});
    r.read(limits, "max_header_count", "limits", c.limits.max_header_count);
    r.read(limits, "max_body_bytes", "limits", c.limits.max_body_bytes);
    r.read(limits, "max_header_bytes", "limits", c.limits.max_header_bytes);
    r.read_positive(limits, "request_timeout_ms", "limits", c.limits.request_timeout_ms);
    r.read_positive(limits, "idle_timeout_ms", "limits", c.limits.idle_timeout_ms);
    r.read(limits, "max_connections", "limits", c.limits.max_connections);
    r.read_positive(limits, "drain_timeout_ms", "limits", c.limits.drain_timeout_ms);
  }
  read_protect_sections(r, root, c);
  return c;
}

// Checks that need the whole config (cross-key rules, files, URLs) and resolves relative paths.
void validate(Config& c, YamlReader& r, const std::string& base_dir) {
  std::string reason;
  if (!parse_host_port(c.listen, reason)) r.error("listen", reason);
  validate_admin(c.admin, r);
  for (Side side : {Side::legacy, Side::candidate}) {
    auto& b = side == Side::legacy ? c.legacy : c.candidate;
    std::string key = std::string("backends.") + to_string(side);
    bool with_instances = !b.instances.empty();
    validate_instances(r, key, b);
    if (with_instances) {
      // parsed (and reported) instance by instance
    } else if (b.url.empty()) {
      r.error(key + ".url", "required");
    } else if (auto url = parse_url(b.url, reason)) {
      b.parsed = *url;
    } else {
      r.error(key + ".url", reason);
    }
    single_instance_from_url(b);
    if (!b.ca.empty()) {
      b.ca = resolve_path(b.ca, r.base_dir_for(key + ".ca", base_dir));
      check_readable_file(b.ca, key + ".ca", r.errors());
    }
  }
  if (c.tls.min_version != "1.2" && c.tls.min_version != "1.3") {
    r.error("tls.min_version", "must be \"1.2\" or \"1.3\"");
  }
  if (!c.insecure_http) {
    for (auto [field, key] : {std::pair{&c.tls.cert, "tls.cert"}, std::pair{&c.tls.key, "tls.key"}}) {
      if (field->empty()) {
        r.error(key, "required for HTTPS (or run with --insecure-http for local development)");
        continue;
      }
      *field = resolve_path(*field, r.base_dir_for(key, base_dir));
      check_readable_file(*field, key, r.errors());
    }
  }
  c.store.path = resolve_path(c.store.path, r.base_dir_for("store.path", base_dir));
  for (auto& h : c.store.redact_headers) h = to_lower(h);
  for (auto& e : compare::validate_rules(c.compare)) r.error(e.key, e.reason);
  for (const auto& name : c.capture.routes) {
    bool known = false;
    for (const auto& route : c.routes) known = known || route.name == name;
    if (!known) r.error("capture.routes", "no route is named '" + name + "'");
  }
}

LoadResult load_from_node(YAML::Node root, const std::string& base_dir, EnvLookup env,
                          const std::vector<Override>& flags) {
  std::map<std::string, std::string> origins;
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return {std::nullopt, {{"(file)", "the top level must be a map of keys"}}};
  if (env) {
    for (auto [name, key] : kEnvKeys) {
      if (auto value = env(name)) {
        set_dotted(root, key, *value);
        origins[key] = std::string("env ") + name;
      }
    }
  }
  for (const auto& o : flags) {
    set_dotted(root, o.key, o.value);
    origins[o.key] = "flag";
  }
  YamlReader reader(std::move(origins));
  Config c = read_config(reader, root);
  validate(c, reader, base_dir);
  validate_protect(c, reader, base_dir, env);
  LoadResult result;
  result.errors = reader.take_errors();
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace

const char* to_string(Side side) { return side == Side::legacy ? "legacy" : "candidate"; }

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read once at load
  if (!value) return std::nullopt;
  return std::string(value);
}

LoadResult load_config_text(const std::string& yaml, const std::string& base_dir, EnvLookup env,
                            const std::vector<Override>& flags) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return {std::nullopt, {{"(file)", std::string("YAML syntax error: ") + e.what()}}};
  }
  try {
    return load_from_node(root, base_dir, env, flags);
  } catch (const std::exception& e) {
    // A reader above let an exception through (a bug): reject the config, never crash the gateway or
    // a reload. The fuzz target treats this key as a failure, so such paths still get found.
    return {std::nullopt, {{"(internal)", std::string("cannot read the config: ") + e.what()}}, true};
  }
}

LoadResult load_config(const std::string& path, EnvLookup env, const std::vector<Override>& flags) {
  if (path.empty()) return load_config_text("", "", env, flags);
  std::ifstream in(path);
  if (!in) return {std::nullopt, {{"(file)", "cannot read config file " + path}}};
  std::stringstream text;
  text << in.rdbuf();
  auto base_dir = fs::absolute(path).parent_path().string();
  return load_config_text(text.str(), base_dir, env, flags);
}

CompareRulesResult load_compare_rules(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {std::nullopt, {{"(file)", "cannot read config file " + path}}};
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    return {std::nullopt, {{"(file)", std::string("YAML syntax error: ") + e.what()}}};
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return {std::nullopt, {{"(file)", "the top level must be a map of keys"}}};
  YamlReader r({});
  r.known_keys(root, "", kTopLevelKeys);
  compare::Rules rules;
  if (auto cmp = r.section(root, "compare", "")) read_compare(r, cmp, rules);
  for (auto& e : compare::validate_rules(rules)) r.error(e.key, e.reason);
  CompareRulesResult result;
  result.errors = r.take_errors();
  if (result.errors.empty()) result.rules = std::move(rules);
  return result;
}

AdminConfigResult load_admin_config(const std::string& path, EnvLookup env) {
  YAML::Node root(YAML::NodeType::Map);
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return {std::nullopt, {{"(file)", "cannot read config file " + path}}};
    try {
      root = YAML::Load(in);
    } catch (const YAML::Exception& e) {
      return {std::nullopt, {{"(file)", std::string("YAML syntax error: ") + e.what()}}};
    }
    if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) return {std::nullopt, {{"(file)", "the top level must be a map of keys"}}};
  }
  std::map<std::string, std::string> origins;
  if (env) {
    if (auto value = env("PARITY_ADMIN_LISTEN")) {
      set_dotted(root, "admin.listen", *value);
      origins["admin.listen"] = "env PARITY_ADMIN_LISTEN";
    }
  }
  YamlReader r(std::move(origins));
  AdminConfig admin;
  if (auto node = r.section(root, "admin", "")) read_admin(r, node, admin);
  validate_admin(admin, r);
  AdminConfigResult result;
  result.errors = r.take_errors();
  if (result.errors.empty()) result.admin = std::move(admin);
  return result;
}

std::string format_errors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + (e.key.empty() ? std::string("(top)") : e.key) + ": " + e.reason + "\n";
  return out;
}

}  // namespace parity::config
