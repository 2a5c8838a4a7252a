#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config_test_support.h"

using namespace parity::config;
using namespace parity::config::test;

namespace {

std::optional<std::string> admin_listen_env(const char* name) {
  if (std::string(name) == "PARITY_ADMIN_LISTEN") return "127.0.0.1:7001";
  return std::nullopt;
}

const std::string& kBase = kMinimalConfig;

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("guard: absent means off, a complete section is read") {
  auto off = load_config_text(kBase, "", no_env, {});
  REQUIRE(off.config);
  CHECK_FALSE(off.config->guard);
  auto on = load_config_text(kBase + "guard: {max_error_rate: 0.2, max_mismatch_rate: 0.5, window_s: 60, min_requests: 50}\n",
                             "", no_env, {});
  REQUIRE(on.config);
  REQUIRE(on.config->guard);
  CHECK(*on.config->guard->max_error_rate == 0.2);
  CHECK(*on.config->guard->max_mismatch_rate == 0.5);
  CHECK(on.config->guard->window_s == 60);
  CHECK(on.config->guard->min_requests == 50);
  auto defaults = load_config_text(kBase + "guard: {max_error_rate: 0.1}\n", "", no_env, {});
  REQUIRE(defaults.config);
  CHECK(defaults.config->guard->window_s == 30);
  CHECK(defaults.config->guard->min_requests == 20);
  CHECK_FALSE(defaults.config->guard->max_mismatch_rate);
}

TEST_CASE("guard: rates outside 0..1, a zero window, unknown keys and no bound are errors") {
  auto r = load_config_text(kBase + "guard: {max_error_rate: 1.5, max_mismatch_rate: -0.1, window_s: 0, "
                                    "min_requests: 0, colour: red}\n",
                            "", no_env, {});
  CHECK_FALSE(r.config);
  CHECK(has_error(r.errors, "guard.max_error_rate", "between 0 and 1"));
  CHECK(has_error(r.errors, "guard.max_mismatch_rate", "between 0 and 1"));
  CHECK(has_error(r.errors, "guard.window_s", "must be > 0"));
  CHECK(has_error(r.errors, "guard.min_requests", "must be > 0"));
  CHECK(has_error(r.errors, "guard.colour", "unknown key"));
  auto empty = load_config_text(kBase + "guard: {window_s: 10}\n", "", no_env, {});
  CHECK(has_error(empty.errors, "guard", "needs max_error_rate and/or max_mismatch_rate"));
}

TEST_CASE("admin: listen must be loopback and token_env not empty") {
  auto r = load_config_text(kBase + "admin: {listen: \"0.0.0.0:9901\", token_env: \"\"}\n", "", no_env, {});
  CHECK(has_error(r.errors, "admin.listen", "loopback"));
  CHECK(has_error(r.errors, "admin.token_env", "must name"));
  auto ok = load_config_text(kBase + "admin: {listen: \"127.0.0.1:0\", token_env: MY_TOKEN}\n", "", no_env, {});
  REQUIRE(ok.config);
  CHECK(ok.config->admin.token_env == "MY_TOKEN");
}

TEST_CASE("load_admin_config reads only the admin section, with PARITY_ADMIN_LISTEN") {
  // The rest of the file is incomplete (no backends, TLS files missing): ctl does not care.
  auto path = temp_file("parity-admin-only.yaml", "admin: {listen: \"127.0.0.1:9911\", token_env: T}\n"
                                                  "tls: {cert: /nonexistent.crt}\n");
  auto r = load_admin_config(path, no_env);
  REQUIRE(r.admin);
  CHECK(r.admin->listen == "127.0.0.1:9911");
  CHECK(r.admin->token_env == "T");
  auto env = load_admin_config(path, admin_listen_env);
  REQUIRE(env.admin);
  CHECK(env.admin->listen == "127.0.0.1:7001");
  auto defaults = load_admin_config("", no_env);
  REQUIRE(defaults.admin);
  CHECK(defaults.admin->listen == "127.0.0.1:9901");
  CHECK(defaults.admin->token_env == "PARITY_ADMIN_TOKEN");
  auto bad = load_admin_config(temp_file("parity-admin-bad.yaml", "admin: {lisen: x}\n"), no_env);
  CHECK(has_error(bad.errors, "admin.lisen", "unknown key"));
  auto syntax = load_admin_config(temp_file("parity-admin-syntax.yaml", "admin: {listen: [\n"), no_env);
  CHECK(has_error(syntax.errors, "(file)", "YAML syntax error"));
}
