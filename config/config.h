#pragma once
// The parsed, validated configuration of one gateway (the YAML file + PARITY_* env + flags).
// A Config is immutable once loaded; the gateway swaps whole snapshots on reload.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compare/rules.h"
#include "config/backend_policy.h"
#include "config/capture_config.h"

#include "core/ip_network.h"

namespace parity::config {

enum class Side { legacy, candidate };
const char* to_string(Side side);
inline Side other(Side side) { return side == Side::legacy ? Side::candidate : Side::legacy; }

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;
  std::uint16_t port = 0;
  std::string base_path;  // prefix prepended to every forwarded target ("" or "/api")
};

struct TlsConfig {
  std::string cert;
  std::string key;
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string client_ca;            // CA file for client certificates (mTLS); empty = none asked
  bool require_client_cert = false; // with client_ca: refuse clients without a valid certificate
};

struct AdminConfig {
  std::string listen = "127.0.0.1:9901";
  std::string token_env = "PARITY_ADMIN_TOKEN";
};

// The automatic cut-over guard: while the candidate is served, Parity switches back to legacy by
// itself when the candidate's error or mismatch rate over the last window_s seconds exceeds a bound.
struct GuardConfig {
  std::optional<double> max_error_rate;     // 0..1: client-visible 5xx/upstream failures per request
  std::optional<double> max_mismatch_rate;  // 0..1: mismatch verdicts per compared exchange
  int window_s = 30;                        // sliding window
  int min_requests = 20;                    // no decision below this many observations in the window

  bool operator==(const GuardConfig&) const = default;
};

struct BackendConfig {
  std::string url;
  Url parsed;
  std::string ca;               // CA file for https backends; empty = system store
  bool verify = true;           // verify the backend certificate and host name
  int timeout_ms = 30000;       // whole response
  int connect_timeout_ms = 5000;
  std::size_t max_idle = 64;    // pooled idle connections per event loop
  int idle_timeout_ms = 60000;  // a pooled connection unused this long is closed
  std::string health_path = "/health";  // probed by the gateway's /health
  // Instances, balancing and protection (config/backend_policy.h). `url:` alone is one instance;
  // `url`/`parsed` above always mirror instances[0].
  struct Instance {
    std::string url;
    Url parsed;
    std::uint32_t weight = 1;  // balance: weighted (canary splits: weights like 95/5)
  };
  std::vector<Instance> instances;
  Balance balance = Balance::round_robin;
  HealthCheckConfig health_check;
  BreakerConfig circuit_breaker;
  RetryConfig retries;
};

struct MirrorConfig {
  bool enabled = true;
  double sample_percent = 100;
  std::vector<std::string> methods{"GET", "HEAD", "OPTIONS"};
  std::size_t queue = 1024;     // mirrors queued or in flight; beyond it new mirrors are dropped
  int timeout_ms = 5000;
  std::size_t max_body_bytes = 1 << 20;  // response bytes kept per side for the diff
  // Bytes held for mirrors in flight — request copies and captured responses — until recorded; a
  // mirror that would pass it is dropped. Bounds memory where `queue` alone does not (large uploads
  // mirrored to a shadow that hangs).
  std::size_t max_bytes = std::size_t{256} << 20;
};

struct RouteConfig {
  std::string name;             // defaults to the path or prefix
  std::string path;             // exact path or template with {param} segments
  std::string prefix;           // prefix match (exactly one of path/prefix is set)
  bool strip_prefix = false;    // drop the prefix before forwarding
  std::string rewrite;          // replace the matched prefix with this before forwarding
  std::vector<std::string> methods;         // empty = any method
  std::vector<std::string> mirror_methods;  // extra (unsafe) methods mirrored on this route
  std::optional<bool> mirror;               // per-route mirror on/off; unset = follow mirror.enabled
  std::optional<bool> capture;              // per-route capture on/off; unset = follow capture.routes
};

// The route used when the config names none: every request, forwarded as is.
inline RouteConfig default_route() {
  RouteConfig route;
  // Move-assigned strings: GCC 12 at -O3 reports a false -Wrestrict for assign(const char*) here.
  route.name = std::string("/");
  route.prefix = std::string("/");
  return route;
}

struct LimitsConfig {
  std::size_t max_body_bytes = 10 * 1024 * 1024;  // request body; 413 beyond
  std::size_t max_header_bytes = 16 * 1024;       // request head; 431 beyond
  int request_timeout_ms = 30000;                 // reading one request head+body
  int idle_timeout_ms = 60000;                    // keep-alive idle
  std::size_t max_connections = 20000;
  int drain_timeout_ms = 10000;                   // SIGTERM: grace period for requests in flight
  std::size_t max_header_count = 100;             // request header fields; 431 beyond
};

// Token-bucket rate limiting (see docs/security.md). Off while requests_per_second is 0.
struct RouteRateLimit {
  std::string route;                // a route's name
  double requests_per_second = 0;
  double burst = 0;                 // 0 = same as requests_per_second (at least 1)
};
struct RateLimitConfig {
  double requests_per_second = 0;   // per key, over all routes; 0 = no global limit
  double burst = 0;
  std::string key = "client";       // "client" (address) or "api_key" (falls back to the address)
  std::vector<RouteRateLimit> routes;  // extra limits per route, per key
};

// Access control: a request passes with a valid API key OR a valid JWT bearer token (when both are
// configured). Secrets are resolved at load time and never printed.
struct ApiKeysConfig {
  std::string header = "X-API-Key";
  std::string values_env;           // variable holding the keys (comma or newline separated)
  std::string values_file;          // file holding the keys, one per line
  std::vector<std::string> values;  // resolved from values_env / values_file
};
struct JwtConfig {
  std::string hs256_secret_env;     // variable holding the HS256 secret
  std::string rs256_public_key;     // PEM file of the RS256 public key
  std::string audience;             // required aud value; empty = not checked
  int leeway_s = 30;
  std::string hs256_secret;         // resolved from hs256_secret_env
  std::string rs256_public_key_pem; // resolved from rs256_public_key
};
struct AuthConfig {
  std::optional<ApiKeysConfig> api_keys;
  std::optional<JwtConfig> jwt;
  bool enabled() const { return api_keys || jwt; }
};

struct CorsConfig {
  std::vector<std::string> origins;
  std::vector<std::string> methods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::vector<std::string> headers{"authorization", "content-type"};
  int max_age_s = 600;
};

struct StoreConfig {
  std::string path = "parity-data";
  std::size_t sample_bytes = 4096;               // bytes of each body kept for mismatching exchanges
  int flush_interval_ms = 1000;
  std::vector<std::string> redact_headers;       // in addition to Authorization, Cookie, Set-Cookie
  // Shared PostgreSQL store (postgres://…, libpq URI); empty = none. With a url and no explicit path,
  // records go to PostgreSQL only (jsonl = false; path still holds the audit log); with both, to both.
  std::string url;
  bool jsonl = true;                             // write <path>/records.jsonl
  std::size_t queue = 8192;                      // records buffered for the store's writer; beyond: dropped
};

struct Config {
  std::string listen = "0.0.0.0:8443";
  bool insecure_http = false;   // serve plain HTTP (development only)
  int threads = 0;              // event-loop threads; 0 = one per core
  bool access_log = true;
  std::string instance;         // instance id; empty = host name
  // Load balancers / proxies in front of the gateway whose X-Forwarded-For is believed (addresses or
  // CIDR networks): the client is then the address they forwarded for (gateway/client_address.h).
  std::vector<IpNetwork> trusted_proxies;
  TlsConfig tls;
  AdminConfig admin;
  BackendConfig legacy;
  BackendConfig candidate;
  Side serve = Side::legacy;
  MirrorConfig mirror;
  std::optional<GuardConfig> guard;  // absent = no automatic rollback
  std::vector<RouteConfig> routes{default_route()};
  compare::Rules compare;
  StoreConfig store;
  LimitsConfig limits;
  RateLimitConfig rate_limit;
  AuthConfig auth;
  std::optional<CorsConfig> cors;    // absent = no CORS handling (requests pass untouched)
  CaptureConfig capture;        // recording of client requests for `parity replay` (off by default)

  const BackendConfig& backend(Side side) const { return side == Side::legacy ? legacy : candidate; }
};

struct ConfigError {
  std::string key;     // dotted path of the offending key, e.g. "backends.legacy.url"
  std::string reason;
};

// A flag or env override: a dotted key of the file ("tls.cert") and its value as text.
struct Override {
  std::string key;
  std::string value;
};

// Looks up an environment variable; injected so tests never touch the process environment.
using EnvLookup = std::optional<std::string> (*)(const char* name);
std::optional<std::string> process_env(const char* name);

struct LoadResult {
  std::optional<Config> config;      // set only when errors is empty
  std::vector<ConfigError> errors;
  // Reading failed unexpectedly (an exception escaped a reader: a bug); errors then holds one "(internal)".
  bool internal_error = false;
};

// Loads `path` (empty = defaults only), applies PARITY_* environment overrides, then `flags`
// (precedence flag > env > file > default), and validates everything. Never throws.
LoadResult load_config(const std::string& path, EnvLookup env, const std::vector<Override>& flags);
// Same, from YAML text (for tests and reload). `base_dir` resolves relative file paths.
LoadResult load_config_text(const std::string& yaml, const std::string& base_dir, EnvLookup env,
                            const std::vector<Override>& flags);

// Only the `compare:` section of a file (for `parity diff`, `parity replay`): the other sections may be
// absent or incomplete, but unknown top-level keys and every compare error are still reported.
struct CompareRulesResult {
  std::optional<compare::Rules> rules;
  std::vector<ConfigError> errors;
};
CompareRulesResult load_compare_rules(const std::string& path);

// Only the `admin:` section of a file plus PARITY_ADMIN_LISTEN (for `parity ctl`, which must not need
// the gateway's TLS files to be readable). Unknown keys inside `admin:` are errors; other sections are
// not read.
struct AdminConfigResult {
  std::optional<AdminConfig> admin;
  std::vector<ConfigError> errors;
};
AdminConfigResult load_admin_config(const std::string& path, EnvLookup env);

std::string format_errors(const std::vector<ConfigError>& errors);

}  // namespace parity::config
