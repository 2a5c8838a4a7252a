#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {


LoadResult load_with_legacy(const std::string& legacy) {
  std::string yaml = "insecure_http: true\nbackends:\n  legacy: " + legacy +
                     "\n  candidate: {url: \"http://127.0.0.1:9000\"}\n";
  return load_config_text(yaml, "", no_env, {});
}

}  // namespace

TEST_CASE("url alone is one instance with weight 1 and no protection") {
  auto r = load_with_legacy(R"({url: "http://127.0.0.1:8000/api"})");
  REQUIRE(r.config);
  const auto& b = r.config->legacy;
  REQUIRE(b.instances.size() == 1);
  CHECK(b.instances[0].url == "http://127.0.0.1:8000/api");
  CHECK(b.instances[0].parsed.port == 8000);
  CHECK(b.instances[0].parsed.base_path == "/api");
  CHECK(b.instances[0].weight == 1);
  CHECK(b.balance == Balance::round_robin);
  CHECK(b.health_check.interval_ms == 0);
  CHECK(b.circuit_breaker.failures == 0);
  CHECK(b.retries.attempts == 0);
}

TEST_CASE("instances, balance, health_check, circuit_breaker and retries load") {
  auto r = load_with_legacy(R"(
    instances: [{url: "http://127.0.0.1:8001", weight: 95}, {url: "http://127.0.0.1:8002", weight: 5}, "http://127.0.0.1:8003"]
    balance: weighted
    health_check: {interval_ms: 200, path: /ready, unhealthy_after: 3, healthy_after: 2, timeout_ms: 100}
    circuit_breaker: {failures: 4, open_ms: 700, failure_statuses: [502, 503]}
    retries: {attempts: 2, backoff_ms: 10})");
  INFO(format_errors(r.errors));
  REQUIRE(r.config);
  const auto& b = r.config->legacy;
  REQUIRE(b.instances.size() == 3);
  CHECK(b.instances[1].weight == 5);
  CHECK(b.instances[2].url == "http://127.0.0.1:8003");
  CHECK(b.instances[2].weight == 1);
  CHECK(b.url == "http://127.0.0.1:8001");  // url/parsed follow the first instance
  CHECK(b.parsed.port == 8001);
  CHECK(b.balance == Balance::weighted);
  CHECK(b.health_check.interval_ms == 200);
  CHECK(b.health_check.path == "/ready");
  CHECK(b.health_check.unhealthy_after == 3);
  CHECK(b.health_check.healthy_after == 2);
  CHECK(b.health_check.timeout_ms == 100);
  CHECK(b.circuit_breaker.failures == 4);
  CHECK(b.circuit_breaker.open_ms == 700);
  CHECK(b.circuit_breaker.failure_statuses == std::vector<int>{502, 503});
  CHECK(b.retries.attempts == 2);
  CHECK(b.retries.backoff_ms == 10);
}

TEST_CASE("an empty section turns a protection on with its defaults") {
  auto r = load_with_legacy(R"({url: "http://127.0.0.1:8000", health_check: {}, circuit_breaker: {}})");
  REQUIRE(r.config);
  CHECK(r.config->legacy.health_check.interval_ms == 5000);
  CHECK(r.config->legacy.circuit_breaker.failures == 5);
}

TEST_CASE("bad instance and policy keys name the key and the reason") {
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", instances: ["http://b:2"]})"), "backends.legacy.url",
                  "either url"));
  CHECK(has_error(load_with_legacy(R"({instances: []})"), "backends.legacy.instances", "non-empty"));
  CHECK(has_error(load_with_legacy(R"({instances: ["ftp://x"]})"), "backends.legacy.instances[0].url", ""));
  CHECK(has_error(load_with_legacy(R"({instances: [{weight: 2}]})"), "backends.legacy.instances[0].url", "required"));
  CHECK(has_error(load_with_legacy(R"({instances: [{url: "http://a:1", weight: -1}]})"),
                  "backends.legacy.instances[0].weight", ">= 0"));
  CHECK(has_error(load_with_legacy(R"({instances: [{url: "http://a:1", weight: 0}]})"), "backends.legacy.instances",
                  "weight > 0"));
  CHECK(has_error(load_with_legacy(R"({instances: [{url: "http://a:1", port: 3}]})"), "backends.legacy.instances[0].port",
                  ""));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", balance: fastest})"), "backends.legacy.balance", "fastest"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", health_check: {interval_ms: 0}})"),
                  "backends.legacy.health_check.interval_ms", "> 0"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", health_check: {path: ready}})"),
                  "backends.legacy.health_check.path", "/"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", circuit_breaker: {failures: 0}})"),
                  "backends.legacy.circuit_breaker.failures", "> 0"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", circuit_breaker: {failure_statuses: [503, 429]}})"),
                  "backends.legacy.circuit_breaker.failure_statuses", "429 is not a 5xx status"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", circuit_breaker: {failure_statuses: 503}})"),
                  "backends.legacy.circuit_breaker.failure_statuses", "a list of whole numbers"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", circuit_breaker: {failure_statuses: [x]}})"),
                  "backends.legacy.circuit_breaker.failure_statuses", "a list of whole numbers"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", retries: {attempts: 11}})"),
                  "backends.legacy.retries.attempts", "0 to 10"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", retries: {backoff_ms: -5}})"),
                  "backends.legacy.retries.backoff_ms", ">= 0"));
  CHECK(has_error(load_with_legacy(R"({url: "http://a:1", retries: 3})"), "backends.legacy.retries", "map"));
}
