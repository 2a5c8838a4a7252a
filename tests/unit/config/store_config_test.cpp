#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {


const std::string& kBase = kMinimalConfig;

}  // namespace

TEST_CASE("the store is JSONL only by default", "[store_config]") {
  auto r = load_config_text(kBase, "/srv", no_env, {});
  REQUIRE(r.config);
  CHECK(r.config->store.url.empty());
  CHECK(r.config->store.jsonl);
  CHECK(r.config->store.queue == 8192);
}

TEST_CASE("store.url alone means PostgreSQL only, with path, both", "[store_config]") {
  auto only = load_config_text(kBase + "store: {url: \"postgres://parity@db:5432/parity\", queue: 100}\n", "/srv",
                               no_env, {});
  REQUIRE(only.errors.empty());
  CHECK(only.config->store.url == "postgres://parity@db:5432/parity");
  CHECK_FALSE(only.config->store.jsonl);
  CHECK(only.config->store.queue == 100);
  CHECK(only.config->store.path == "/srv/parity-data");  // still the audit trail's directory

  auto both = load_config_text(kBase + "store: {url: \"postgresql://db/p\", path: data}\n", "/srv", no_env, {});
  REQUIRE(both.errors.empty());
  CHECK(both.config->store.jsonl);
  CHECK(both.config->store.path == "/srv/data");
}

TEST_CASE("PARITY_STORE_URL sets the shared store", "[store_config]") {
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "PARITY_STORE_URL") return "postgres://parity@db/parity";
    return std::nullopt;
  };
  auto r = load_config_text(kBase, "", env, {});
  REQUIRE(r.errors.empty());
  CHECK(r.config->store.url == "postgres://parity@db/parity");
}

TEST_CASE("bad store keys are named with a reason", "[store_config]") {
  CHECK(has_error(load_config_text(kBase + "store: {url: \"mysql://db/p\"}\n", "", no_env, {}), "store.url",
                  "postgres://"));
  CHECK(has_error(load_config_text(kBase + "store: {url: \"postgres://db/p x\"}\n", "", no_env, {}), "store.url",
                  "whitespace"));
  CHECK(has_error(load_config_text(kBase + "store: {queue: 0}\n", "", no_env, {}), "store.queue", ">= 1"));
  CHECK(has_error(load_config_text(kBase + "store: {path: \"\"}\n", "", no_env, {}), "store.path", "empty"));
}
