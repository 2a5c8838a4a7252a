#include "config/protect_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/http_message.h"

namespace parity::config {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

// Keys separated by commas or new lines; '#' starts a comment line.
std::vector<std::string> split_keys(const std::string& text) {
  std::vector<std::string> keys;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::stringstream items(line);
    for (std::string item; std::getline(items, item, ',');) {
      auto b = item.find_first_not_of(" \t\r");
      auto e = item.find_last_not_of(" \t\r");
      if (b != std::string::npos) keys.push_back(item.substr(b, e - b + 1));
    }
  }
  return keys;
}

void read_rate(YamlReader& r, const YAML::Node& node, const std::string& key, double& rps, double& burst) {
  if (r.read(node, "requests_per_second", key, rps) && rps < 0) r.error(key + ".requests_per_second", "must be >= 0");
  if (r.read(node, "burst", key, burst) && burst < 0) r.error(key + ".burst", "must be >= 0");
}

}  // namespace

void read_protect_sections(YamlReader& r, const YAML::Node& root, Config& c) {
  if (auto rl = r.section(root, "rate_limit", ""); rl.IsMap()) {
    const std::string key = "rate_limit";
    r.known_keys(rl, key, {"requests_per_second", "burst", "key", "routes"});
    read_rate(r, rl, key, c.rate_limit.requests_per_second, c.rate_limit.burst);
    if (r.read(rl, "key", key, c.rate_limit.key) && c.rate_limit.key != "client" && c.rate_limit.key != "api_key") {
      r.error("rate_limit.key", "must be `client` or `api_key`, not '" + c.rate_limit.key + "'");
    }
    if (auto routes = rl["routes"]) {
      if (!routes.IsSequence()) {
        r.error("rate_limit.routes", "must be a list like [{route: /v1/chat, requests_per_second: 5, burst: 10}]");
      } else {
        for (std::size_t i = 0; i < routes.size(); ++i) {
          std::string rkey = "rate_limit.routes[" + std::to_string(i) + "]";
          if (!routes[i].IsMap()) {
            r.error(rkey, "must be a map {route, requests_per_second, burst}");
            continue;
          }
          r.known_keys(routes[i], rkey, {"route", "requests_per_second", "burst"});
          RouteRateLimit limit;
          r.read(routes[i], "route", rkey, limit.route);
          read_rate(r, routes[i], rkey, limit.requests_per_second, limit.burst);
          if (limit.requests_per_second <= 0) r.error(rkey + ".requests_per_second", "required, > 0");
          c.rate_limit.routes.push_back(limit);
        }
      }
    }
  }
  if (auto auth = r.section(root, "auth", ""); auth.IsMap()) {
    r.known_keys(auth, "auth", {"api_keys", "jwt"});
    if (auto keys = r.section(auth, "api_keys", "auth"); keys.IsMap()) {
      const std::string key = "auth.api_keys";
      r.known_keys(keys, key, {"header", "values_env", "values_file"});
      ApiKeysConfig a;
      r.read(keys, "header", key, a.header);
      r.read(keys, "values_env", key, a.values_env);
      r.read(keys, "values_file", key, a.values_file);
      c.auth.api_keys = a;
    }
    if (auto jwt = r.section(auth, "jwt", "auth"); jwt.IsMap()) {
      const std::string key = "auth.jwt";
      r.known_keys(jwt, key, {"hs256_secret_env", "rs256_public_key", "audience", "leeway_s"});
      JwtConfig j;
      r.read(jwt, "hs256_secret_env", key, j.hs256_secret_env);
      r.read(jwt, "rs256_public_key", key, j.rs256_public_key);
      r.read(jwt, "audience", key, j.audience);
      if (r.read(jwt, "leeway_s", key, j.leeway_s) && j.leeway_s < 0) r.error("auth.jwt.leeway_s", "must be >= 0");
      c.auth.jwt = j;
    }
  }
  if (auto cors = r.section(root, "cors", ""); cors.IsMap()) {
    const std::string key = "cors";
    r.known_keys(cors, key, {"origins", "methods", "headers", "max_age_s"});
    CorsConfig cc;
    r.read(cors, "origins", key, cc.origins);
    r.read_methods(cors, "methods", key, cc.methods);
    if (r.read(cors, "headers", key, cc.headers)) {
      for (auto& h : cc.headers) h = to_lower(h);
    }
    if (r.read(cors, "max_age_s", key, cc.max_age_s) && cc.max_age_s < 0) r.error("cors.max_age_s", "must be >= 0");
    if (cc.origins.empty()) r.error("cors.origins", "required: the origins allowed to call the gateway (or remove cors)");
    for (const auto& o : cc.origins) {
      if (o != "*" && o.rfind("http://", 0) != 0 && o.rfind("https://", 0) != 0) {
        r.error("cors.origins", "'" + o + "' is not an origin like https://app.example.com (or \"*\")");
      }
    }
    c.cors = cc;
  }
}

void validate_protect(Config& c, YamlReader& r, const std::string& base_dir, EnvLookup env) {
  if (c.limits.max_header_count == 0) r.error("limits.max_header_count", "must be >= 1");
  if (c.limits.max_connections == 0) r.error("limits.max_connections", "must be >= 1");
  for (const auto& limit : c.rate_limit.routes) {
    bool known = std::any_of(c.routes.begin(), c.routes.end(), [&](const RouteConfig& rt) { return rt.name == limit.route; });
    if (!known) r.error("rate_limit.routes", "no route named '" + limit.route + "'");
  }
  if (c.rate_limit.key == "api_key" && !c.auth.api_keys) {
    r.error("rate_limit.key", "`api_key` needs auth.api_keys (keys are verified before they name a bucket)");
  }
  if (!c.tls.client_ca.empty()) {
    c.tls.client_ca = resolve(c.tls.client_ca, r.base_dir_for("tls.client_ca", base_dir));
    if (!read_file(c.tls.client_ca)) r.error("tls.client_ca", "cannot read file: " + c.tls.client_ca);
  } else if (c.tls.require_client_cert) {
    r.error("tls.require_client_cert", "needs tls.client_ca (the CA that signs client certificates)");
  }
  if (c.tls.client_ca.size() && c.insecure_http) r.error("tls.client_ca", "client certificates need TLS (not --insecure-http)");
  if (auto& a = c.auth.api_keys) {
    if (a->header.empty()) r.error("auth.api_keys.header", "must name a header");
    if (a->values_env.empty() == a->values_file.empty()) {
      r.error("auth.api_keys", "needs exactly one of values_env or values_file");
    } else if (!a->values_env.empty()) {
      auto value = env ? env(a->values_env.c_str()) : std::nullopt;
      if (value) a->values = split_keys(*value);
      if (a->values.empty()) r.error("auth.api_keys.values_env", "environment variable " + a->values_env + " holds no key");
    } else {
      a->values_file = resolve(a->values_file, r.base_dir_for("auth.api_keys.values_file", base_dir));
      auto text = read_file(a->values_file);
      if (!text) r.error("auth.api_keys.values_file", "cannot read file: " + a->values_file);
      else a->values = split_keys(*text);
      if (text && a->values.empty()) r.error("auth.api_keys.values_file", "no key in " + a->values_file);
    }
    // The key header never reaches a record, like Authorization.
    c.store.redact_headers.push_back(to_lower(a->header));
  }
  if (auto& j = c.auth.jwt) {
    if (j->hs256_secret_env.empty() && j->rs256_public_key.empty()) {
      r.error("auth.jwt", "needs hs256_secret_env and/or rs256_public_key");
    }
    if (!j->hs256_secret_env.empty()) {
      auto value = env ? env(j->hs256_secret_env.c_str()) : std::nullopt;
      if (!value || value->empty()) {
        r.error("auth.jwt.hs256_secret_env", "environment variable " + j->hs256_secret_env + " is not set");
      } else if (value->size() < 32) {
        r.error("auth.jwt.hs256_secret_env", "the secret in " + j->hs256_secret_env + " is shorter than 32 bytes");
      } else {
        j->hs256_secret = *value;
      }
    }
    if (!j->rs256_public_key.empty()) {
      j->rs256_public_key = resolve(j->rs256_public_key, r.base_dir_for("auth.jwt.rs256_public_key", base_dir));
      auto text = read_file(j->rs256_public_key);
      if (!text) r.error("auth.jwt.rs256_public_key", "cannot read file: " + j->rs256_public_key);
      else j->rs256_public_key_pem = *text;
    }
  }
}

}  // namespace parity::config
