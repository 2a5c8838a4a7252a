#include <catch2/catch.hpp>

#include "gateway/admin_api.h"
#include "tests/unit/store/store_test_support.h"

using namespace parity;
using namespace parity::gateway;

namespace {

class FakeTarget final : public AdminTarget {
 public:
  nlohmann::json status() override { return {{"serve", config::to_string(serve)}}; }
  nlohmann::json aggregates() override { return {{"routes", nlohmann::json::array()}}; }
  ChangeResult set_serve(config::Side s, const Actor& actor, const std::string& reason) override {
    last_actor = actor;
    last_reason = reason;
    serve = s;
    return {ChangeResult::Status::applied, ++version, {}, "applied"};
  }
  ChangeResult set_mirror(bool enabled, const Actor& actor, const std::string&) override {
    last_actor = actor;
    mirror = enabled;
    return {ChangeResult::Status::applied, ++version, {}, "applied"};
  }
  ChangeResult reload(const Actor& actor, const std::string&) override {
    last_actor = actor;
    if (reload_fails) return {ChangeResult::Status::rejected, version, {{"colour", "unknown key"}}, "rejected"};
    return {ChangeResult::Status::applied, ++version, {}, "applied"};
  }
  config::Side serve = config::Side::legacy;
  bool mirror = true;
  bool reload_fails = false;
  std::uint64_t version = 1;
  Actor last_actor;
  std::string last_reason;
};

struct Fixture {
  FakeTarget target;
  MetricsRegistry metrics;
  store::testing::CapturedLog log;
  AdminApi api{target, "s3cret", metrics, log.logger};

  AdminResponse call(std::string method, std::string path, std::string body = "", std::string auth = "Bearer s3cret",
                     std::string actor = "") {
    return api.handle({std::move(method), std::move(path), std::move(auth), std::move(actor), "127.0.0.1",
                       std::move(body)});
  }
};

}  // namespace

TEST_CASE("admin API: a missing or wrong token is 401, counted and logged") {
  Fixture f;
  CHECK(f.call("GET", "/status", "", "").status == 401);
  CHECK(f.call("GET", "/status", "", "Bearer s3cre").status == 401);
  CHECK(f.call("GET", "/status", "", "Bearer s3cret2").status == 401);
  CHECK(f.call("GET", "/status", "", "Basic s3cret").status == 401);
  auto refused = f.call("POST", "/serve", R"({"serve":"candidate"})", "Bearer nope");
  CHECK(refused.status == 401);
  CHECK(refused.body["error"]["type"] == "unauthorized");
  CHECK(f.target.serve == config::Side::legacy);
  CHECK(f.metrics.counter_total("parity_admin_unauthorized_total") == 5);
  CHECK(f.log.text().find("refused: wrong bearer token") != std::string::npos);
  CHECK(f.call("GET", "/status").status == 200);
  CHECK(f.metrics.counter_total("parity_admin_unauthorized_total") == 5);
}

TEST_CASE("admin API: serve switch with actor and reason") {
  Fixture f;
  auto r = f.call("POST", "/serve", R"({"serve":"candidate","reason":"cut over"})", "Bearer s3cret", "ctl:alice");
  CHECK(r.status == 200);
  CHECK(r.body["result"] == "applied");
  CHECK(r.body["config_version"] == 2);
  CHECK(f.target.serve == config::Side::candidate);
  CHECK(f.target.last_actor.who == "ctl:alice");
  CHECK(f.target.last_actor.peer == "127.0.0.1");
  CHECK(f.target.last_reason == "cut over");
  CHECK(f.call("GET", "/status").body["serve"] == "candidate");
  f.call("POST", "/serve", R"({"serve":"legacy"})");
  CHECK(f.target.last_actor.who == "admin-api");
}

TEST_CASE("admin API: bad requests are 400/404/405 and change nothing") {
  Fixture f;
  CHECK(f.call("POST", "/serve", R"({"serve":"shadow"})").status == 400);
  CHECK(f.call("POST", "/serve", "not json").status == 400);
  CHECK(f.call("POST", "/serve", R"({"serve":"candidate","reason":5})").status == 400);
  CHECK(f.call("POST", "/mirror", R"({"enabled":"yes"})").status == 400);
  CHECK(f.call("GET", "/serve").status == 405);
  CHECK(f.call("POST", "/status").status == 405);
  CHECK(f.call("GET", "/nope").status == 404);
  CHECK(f.target.serve == config::Side::legacy);
  CHECK(f.target.version == 1);
}

TEST_CASE("admin API: mirror toggle, aggregates, and a rejected reload is 422 with the errors") {
  Fixture f;
  CHECK(f.call("POST", "/mirror", R"({"enabled":false})").status == 200);
  CHECK_FALSE(f.target.mirror);
  CHECK(f.call("GET", "/aggregates").body.contains("routes"));
  CHECK(f.call("POST", "/reload").status == 200);
  f.target.reload_fails = true;
  auto r = f.call("POST", "/reload", R"({"reason":"try"})");
  CHECK(r.status == 422);
  CHECK(r.body["result"] == "rejected");
  CHECK(r.body["errors"][0]["key"] == "colour");
  CHECK(r.body["errors"][0]["reason"] == "unknown key");
}

TEST_CASE("constant_time_equal") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK(constant_time_equal("", ""));
}
