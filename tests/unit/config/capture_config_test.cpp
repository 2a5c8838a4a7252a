#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {

std::optional<std::string> capture_env(const char* name) {
  if (std::string(name) == "PARITY_CAPTURE_ENABLED") return "true";
  if (std::string(name) == "PARITY_CAPTURE_PATH") return "/tmp/cap.jsonl";
  return std::nullopt;
}

const std::string kBase = kMinimalConfig + R"(routes:
  - {path: /v1/chat/completions, capture: false}
  - {prefix: /v1/, name: api}
)";

}  // namespace

TEST_CASE("capture is off by default, its section and the per-route key load") {
  auto plain = load_config_text(kBase, "", no_env, {});
  REQUIRE(plain.config);
  CHECK_FALSE(plain.config->capture.enabled);
  CHECK(plain.config->routes[0].capture == false);
  CHECK_FALSE(plain.config->routes[1].capture.has_value());

  auto r = load_config_text(kBase + R"(
capture: {enabled: true, path: caps/live.jsonl, sample_percent: 5, rate_per_s: 20, routes: [api],
          max_body_bytes: 1000, rotate_bytes: 2048, keep_files: 3, queue: 64}
)",
                            "", no_env, {});
  REQUIRE(r.errors.empty());
  const auto& c = r.config->capture;
  CHECK(c.enabled);
  CHECK(c.path == "caps/live.jsonl");
  CHECK(c.sample_percent == 5);
  CHECK(c.rate_per_s == 20);
  CHECK(c.routes == std::vector<std::string>{"api"});
  CHECK(c.max_body_bytes == 1000);
  CHECK(c.rotate_bytes == 2048);
  CHECK(c.keep_files == 3);
  CHECK(c.queue == 64);
}

TEST_CASE("capture errors name the key and the reason") {
  auto r = load_config_text(kBase + R"(
capture: {enabled: maybe, sample_percent: 120, rate_per_s: -1, routes: [nope], rotate_bytes: 10, queue: 0,
          path: "", colour: red}
)",
                            "", no_env, {});
  CHECK_FALSE(r.config);
  CHECK(has_error(r, "capture.enabled", "boolean"));
  CHECK(has_error(r, "capture.sample_percent", ""));
  CHECK(has_error(r, "capture.rate_per_s", ">= 0"));
  CHECK(has_error(r, "capture.routes", "nope"));
  CHECK(has_error(r, "capture.rotate_bytes", ">= 1024"));
  CHECK(has_error(r, "capture.queue", ">= 1"));
  CHECK(has_error(r, "capture.path", "empty"));
  CHECK(has_error(r, "capture.colour", ""));
}

TEST_CASE("PARITY_CAPTURE_* environment variables override the file") {
  auto r = load_config_text(kBase, "", capture_env, {});
  REQUIRE(r.config);
  CHECK(r.config->capture.enabled);
  CHECK(r.config->capture.path == "/tmp/cap.jsonl");
}
