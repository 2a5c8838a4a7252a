#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {

std::optional<std::string> serve_candidate_env(const char* name) {
  if (std::string(name) == "PARITY_SERVE") return "candidate";
  if (std::string(name) == "PARITY_LISTEN") return "127.0.0.1:7000";
  return std::nullopt;
}

// A config that is valid without TLS files.
const std::string& kBase = kMinimalConfig;

}  // namespace

TEST_CASE("defaults apply to an empty file plus backends") {
  auto r = load_config_text(kBase, "", no_env, {});
  REQUIRE(r.errors.empty());
  REQUIRE(r.config);
  CHECK(r.config->serve == Side::legacy);
  CHECK(r.config->mirror.enabled);
  CHECK(r.config->mirror.methods == std::vector<std::string>{"GET", "HEAD", "OPTIONS"});
  CHECK(r.config->routes.size() == 1);
  CHECK(r.config->routes[0].prefix == "/");
  CHECK(r.config->legacy.parsed.port == 8000);
  CHECK(r.config->legacy.idle_timeout_ms == 60000);
  CHECK(r.config->compare.headers == std::vector<std::string>{"content-type"});
}

TEST_CASE("the contract's example config loads") {
  const std::string yaml = R"(
listen: 0.0.0.0:8443
insecure_http: true
admin: {listen: 127.0.0.1:9901, token_env: PARITY_ADMIN_TOKEN}
backends:
  legacy:    {url: http://127.0.0.1:8000, timeout_ms: 30000}
  candidate: {url: https://127.0.0.1:9000, timeout_ms: 30000}
serve: legacy
mirror:
  enabled: true
  sample_percent: 100
  methods: [GET, HEAD, OPTIONS]
  queue: 1024
  timeout_ms: 5000
  max_bytes: 67108864
routes:
  - {path: /v1/chat/completions, methods: [POST], mirror_methods: [POST]}
  - {path: "/v1/files/{file_id}"}
  - {prefix: /v1/, strip_prefix: false}
compare:
  ignore: [/id, /created, "/**/request_id"]
  headers: [Content-Type]
  unordered: [/data]
  number_tolerance: 1.0e-9
  error_formats:
    - {legacy: {detail: $message}, candidate: {error: {message: $message, type: "*"}}}
    - {legacy: {detail: "*"}, candidate: {error: {message: "*", type: x}}, statuses: [[422, 400]]}
  noise: {learn: true}
store: {path: parity-data}
)";
  auto r = load_config_text(yaml, "/srv/parity", no_env, {});
  INFO(format_errors(r.errors));
  REQUIRE(r.config);
  CHECK(r.config->routes.size() == 3);
  CHECK(r.config->mirror.max_bytes == 64u << 20);
  CHECK(r.config->routes[0].methods == std::vector<std::string>{"POST"});
  CHECK(r.config->routes[1].name == "/v1/files/{file_id}");
  CHECK(r.config->candidate.parsed.scheme == "https");
  CHECK(r.config->compare.headers == std::vector<std::string>{"content-type"});
  REQUIRE(r.config->compare.error_formats.size() == 2);
  CHECK(r.config->compare.error_formats[1].statuses == std::vector<std::pair<int, int>>{{422, 400}});
  CHECK(r.config->compare.error_formats[0].legacy == nlohmann::json{{"detail", "$message"}});
  CHECK(r.config->compare.error_formats[0].candidate["error"]["type"] == "*");
  CHECK(r.config->store.path == "/srv/parity/parity-data");
}

TEST_CASE("every bad key is named with a reason") {
  struct Case {
    std::string yaml;
    std::string key;
    std::string fragment;
  };
  auto c = GENERATE(values<Case>({
      {"listne: 1.2.3.4:5", "listne", "unknown key"},
      {"mirror: {sample_percent: 150}", "mirror.sample_percent", "0 to 100"},
      {"mirror: {enabled: maybe}", "mirror.enabled", "boolean"},
      {"mirror: {queue: -1}", "mirror.queue", "whole number"},
      {"mirror: {max_bytes: 0}", "mirror.max_bytes", ">= 1"},
      {"mirror: {methods: [GET, 'B@D']}", "mirror.methods", "not an HTTP method"},
      {"serve: both", "serve", "legacy` or `candidate"},
      {"backends: {legacy: {url: 'ftp://x'}, candidate: {url: 'http://h:1'}}", "backends.legacy.url", "scheme"},
      {"backends: {legacy: {url: 'http://:80'}, candidate: {url: 'http://h:1'}}", "backends.legacy.url",
       "missing host"},
      {"backends: {legacy: {url: 'http://h:1'}, candidate: {url: 'http://h:99999'}}", "backends.candidate.url",
       "bad port"},
      {"backends: {legacy: {url: 'http://h:1', timeout_ms: 0}, candidate: {url: 'http://h:1'}}",
       "backends.legacy.timeout_ms", "> 0"},
      {"backends: {legacy: {url: 'http://h:1'}, candidate: {url: 'http://h:1', idle_timeout_ms: -5}}",
       "backends.candidate.idle_timeout_ms", "> 0"},
      {"backends: {legacy: {url: 'http://h:1'}}", "backends.candidate.url", "required"},
      {"backends: {legacy: {url: 'http://h:1'}, legacy: {url: 'http://h:2'}}", "backends.legacy", "duplicate"},
      {"listen: nowhere", "listen", "host:port"},
      {"routes: [{path: /a}, {path: /a}]", "routes[1]", "overlaps routes[0]"},
      {"routes: [{prefix: /v1/}, {path: /v1/models}]", "routes[1]", "overlaps routes[0]"},
      {"routes: [{path: a}]", "routes[0].path", "start with '/'"},
      {"routes: [{path: /a, prefix: /b}]", "routes[0]", "exactly one"},
      {"routes: [{path: '/x/{id'}]", "routes[0].path", "whole path segment"},
      {"compare: {number_tolerance: -1}", "compare.number_tolerance", ">= 0"},
      {"compare: {error_formats: [{legacy: {detail: x}}]}", "compare.error_formats[0]", "both"},
      {"tls: {min_version: '1.1'}", "tls.min_version", "1.2"},
      {"compare: {ignore: ['no-slash']}", "compare.ignore[0]", ""},
      {"compare: {error_formats: [{legacy: {detail: x}, candidate: {error: x}, statuses: [422]}]}",
       "compare.error_formats[0].statuses", "pairs"},
      // Found by fuzz_config: a YAML map key that is itself a collection has no JSON equivalent.
      {"compare: {error_formats: [{legacy: {[a]: 1}, candidate: x}]}", "compare.error_formats[0]",
       "map keys must be plain strings"},
  }));
  // Cases that set backends replace the base's backends instead of repeating the key.
  std::string base = c.yaml.rfind("backends:", 0) == 0 ? "insecure_http: true\n" : kBase;
  auto r = load_config_text(base + c.yaml + "\n", "", no_env, {});
  INFO(c.yaml << "\n" << format_errors(r.errors));
  CHECK_FALSE(r.config);
  CHECK(has_error(r, c.key, c.fragment));
}

TEST_CASE("non-overlapping routes are accepted, including a narrower route before a prefix") {
  auto r = load_config_text(kBase + R"(
routes:
  - {path: "/v1/models/{id}", methods: [GET]}
  - {path: "/v1/models/{id}", methods: [DELETE]}
  - {prefix: /v1/}
  - {prefix: /, methods: [GET]}
)",
                            "", no_env, {});
  INFO(format_errors(r.errors));
  CHECK(r.config);
}

TEST_CASE("YAML syntax errors are reported, not thrown") {
  auto r = load_config_text("listen: [unclosed", "", no_env, {});
  CHECK_FALSE(r.config);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].key == "(file)");
  CHECK(r.errors[0].reason.find("YAML syntax error") != std::string::npos);
}

TEST_CASE("TLS files are required unless insecure_http and must exist") {
  const std::string yaml = R"(
backends:
  legacy: {url: "http://127.0.0.1:8000"}
  candidate: {url: "http://127.0.0.1:9000"}
)";
  auto missing = load_config_text(yaml, "", no_env, {});
  CHECK(has_error(missing, "tls.cert", "required"));
  CHECK(has_error(missing, "tls.key", "required"));

  auto absent = load_config_text(yaml + "tls: {cert: /nonexistent/gw.crt, key: /nonexistent/gw.key}\n", "", no_env, {});
  CHECK(has_error(absent, "tls.cert", "file not found"));

  auto dir = std::filesystem::temp_directory_path() / "parity-config-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "gw.crt") << "cert";
  std::ofstream(dir / "gw.key") << "key";
  auto relative = load_config_text(yaml + "tls: {cert: gw.crt, key: gw.key}\n", dir.string(), no_env, {});
  INFO(format_errors(relative.errors));
  REQUIRE(relative.config);
  CHECK(relative.config->tls.cert == (dir / "gw.crt").string());
}

TEST_CASE("precedence is flag > env > file > default") {
  const std::string yaml = kBase + "serve: legacy\nlisten: 127.0.0.1:6000\n";
  auto file_only = load_config_text(yaml, "", no_env, {});
  REQUIRE(file_only.config);
  CHECK(file_only.config->serve == Side::legacy);

  auto with_env = load_config_text(yaml, "", serve_candidate_env, {});
  REQUIRE(with_env.config);
  CHECK(with_env.config->serve == Side::candidate);
  CHECK(with_env.config->listen == "127.0.0.1:7000");

  auto with_flag = load_config_text(yaml, "", serve_candidate_env, {{"serve", "legacy"}});
  REQUIRE(with_flag.config);
  CHECK(with_flag.config->serve == Side::legacy);
  CHECK(with_flag.config->listen == "127.0.0.1:7000");

  auto list_flag = load_config_text(yaml, "", no_env, {{"mirror.methods", "[GET, POST]"}});
  REQUIRE(list_flag.config);
  CHECK(list_flag.config->mirror.methods == std::vector<std::string>{"GET", "POST"});
}

TEST_CASE("a bad override names where it came from") {
  auto r = load_config_text(kBase, "", no_env, {{"serve", "sideways"}});
  CHECK_FALSE(r.config);
  CHECK(has_error(r, "serve", "(from flag)"));
}

TEST_CASE("the compare section alone loads for parity diff") {
  auto dir = std::filesystem::temp_directory_path() / "parity-compare-only";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "rules.yaml") << "compare:\n  ignore: [/id]\n  number_tolerance: 0.01\n";
  auto ok = load_compare_rules((dir / "rules.yaml").string());
  INFO(format_errors(ok.errors));
  REQUIRE(ok.rules);
  CHECK(ok.rules->ignore == std::vector<std::string>{"/id"});
  CHECK(ok.rules->number_tolerance == 0.01);

  std::ofstream(dir / "bad.yaml") << "comparee: {}\ncompare: {ignore: [nope]}\n";
  auto bad = load_compare_rules((dir / "bad.yaml").string());
  CHECK_FALSE(bad.rules);
  CHECK(has_error(LoadResult{std::nullopt, bad.errors}, "comparee", "unknown key"));
  CHECK(has_error(LoadResult{std::nullopt, bad.errors}, "compare.ignore[0]", ""));
}

TEST_CASE("trusted_proxies: addresses and networks load, anything else names the entry") {
  auto r = load_config_text(kBase + "trusted_proxies: [10.0.0.0/8, 127.0.0.1, \"fd00::/8\"]\n", "", no_env, {});
  INFO(format_errors(r.errors));
  REQUIRE(r.config);
  REQUIRE(r.config->trusted_proxies.size() == 3);
  CHECK(r.config->trusted_proxies[0].contains("10.1.2.3"));
  CHECK(r.config->trusted_proxies[1].contains("127.0.0.1"));
  CHECK_FALSE(r.config->trusted_proxies[1].contains("127.0.0.2"));
  CHECK(load_config_text(kBase, "", no_env, {}).config->trusted_proxies.empty());  // default: nobody

  auto bad = load_config_text(kBase + "trusted_proxies: [10.0.0.0/8, 10.0.0.1/8, lb.internal]\n", "", no_env, {});
  CHECK_FALSE(bad.config);
  CHECK(has_error(bad, "trusted_proxies[1]", "'10.0.0.1/8' is not an IP address or network"));
  CHECK(has_error(bad, "trusted_proxies[2]", "'lb.internal'"));
  CHECK(has_error(load_config_text(kBase + "trusted_proxies: 10.0.0.0/8\n", "", no_env, {}), "trusted_proxies", ""));
}
