// The gateway-protection sections: rate_limit, auth, cors, limits.max_header_count, tls.client_ca.
#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {

std::optional<std::string> secrets_env(const char* name) {
  if (std::string(name) == "KEYS") return "key-one, key-two\nkey-three";
  if (std::string(name) == "JWT_SECRET") return std::string(40, 's');
  if (std::string(name) == "SHORT") return "tiny-secret-value";
  return std::nullopt;
}

const std::string kBase = kMinimalConfig + R"(routes: [{prefix: /v1/}, {path: /health2}]
)";

std::optional<std::string> override_env(const char* name) {
  if (std::string(name) == "PARITY_RATE_LIMIT_RPS") return "7.5";
  if (std::string(name) == "PARITY_MAX_CONNECTIONS") return "123";
  return std::nullopt;
}

std::string errors_of(const LoadResult& r) { return format_errors(r.errors); }

}  // namespace

TEST_CASE("protection defaults: no rate limit, no auth, no CORS, 100 header fields") {
  auto r = load_config_text(kBase, "", secrets_env, {});
  REQUIRE(r.config);
  CHECK(r.config->rate_limit.requests_per_second == 0);
  CHECK_FALSE(r.config->auth.enabled());
  CHECK_FALSE(r.config->cors);
  CHECK(r.config->limits.max_header_count == 100);
  CHECK(r.config->tls.client_ca.empty());
}

TEST_CASE("protection sections load, secrets come from env, the key header is redacted") {
  auto r = load_config_text(kBase + R"(
limits: {max_header_count: 20}
rate_limit: {requests_per_second: 5, burst: 10, key: api_key, routes: [{route: /v1/, requests_per_second: 1}]}
auth:
  api_keys: {header: X-Key, values_env: KEYS}
  jwt: {hs256_secret_env: JWT_SECRET, audience: parity, leeway_s: 5}
cors: {origins: [https://app.example.com], headers: [Content-Type]}
)", "", secrets_env, {});
  INFO(errors_of(r));
  REQUIRE(r.config);
  const auto& c = *r.config;
  CHECK(c.limits.max_header_count == 20);
  CHECK(c.rate_limit.requests_per_second == 5);
  CHECK(c.rate_limit.routes.at(0).route == "/v1/");
  CHECK(c.auth.api_keys->values == std::vector<std::string>{"key-one", "key-two", "key-three"});
  CHECK(c.auth.jwt->hs256_secret.size() == 40);
  CHECK(c.auth.jwt->leeway_s == 5);
  CHECK(c.cors->headers == std::vector<std::string>{"content-type"});
  CHECK(std::find(c.store.redact_headers.begin(), c.store.redact_headers.end(), "x-key") != c.store.redact_headers.end());
}

TEST_CASE("protection errors name the key and the reason, never the secret") {
  auto r = load_config_text(kBase + R"(
limits: {max_header_count: 0}
rate_limit: {requests_per_second: -1, key: user, routes: [{route: /nope, requests_per_second: 1}]}
auth:
  api_keys: {values_env: MISSING}
  jwt: {hs256_secret_env: SHORT, rs256_public_key: /no/such.pem}
cors: {origins: [app.example.com]}
tls: {require_client_cert: true}
)", "", secrets_env, {});
  INFO(errors_of(r));
  CHECK_FALSE(r.config);
  CHECK(has_error(r, "limits.max_header_count", ">= 1"));
  CHECK(has_error(r, "rate_limit.requests_per_second", ">= 0"));
  CHECK(has_error(r, "rate_limit.key", "`client` or `api_key`"));
  CHECK(has_error(r, "rate_limit.routes", "no route named '/nope'"));
  CHECK(has_error(r, "auth.api_keys.values_env", "MISSING holds no key"));
  CHECK(has_error(r, "auth.jwt.hs256_secret_env", "shorter than 32 bytes"));
  CHECK(has_error(r, "auth.jwt.rs256_public_key", "cannot read file"));
  CHECK(has_error(r, "cors.origins", "not an origin"));
  CHECK(has_error(r, "tls.require_client_cert", "needs tls.client_ca"));
  CHECK(errors_of(r).find("tiny-secret-value") == std::string::npos);  // the secret's value is never printed
}

TEST_CASE("api_keys needs exactly one source, unknown keys are errors") {
  auto r = load_config_text(kBase + R"(
auth: {api_keys: {header: X-Key}, oauth: {}}
)", "", secrets_env, {});
  CHECK(has_error(r, "auth.api_keys", "exactly one of values_env or values_file"));
  CHECK(has_error(r, "auth.oauth", "unknown key"));
}

TEST_CASE("PARITY_RATE_LIMIT_RPS and PARITY_MAX_CONNECTIONS override the file") {
  auto r = load_config_text(kBase + "rate_limit: {requests_per_second: 1}\nlimits: {max_connections: 5}\n", "",
                            override_env, {});
  REQUIRE(r.config);
  CHECK(r.config->rate_limit.requests_per_second == 7.5);
  CHECK(r.config->limits.max_connections == 123);
}
