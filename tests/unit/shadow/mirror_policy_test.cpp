#include <catch2/catch.hpp>

#include "shadow/mirror_policy.h"

using namespace parity;
using namespace parity::shadow;

namespace {

config::RouteConfig route_with(std::vector<std::string> mirror_methods = {}, std::optional<bool> mirror = {}) {
  config::RouteConfig r = config::default_route();
  r.mirror_methods = std::move(mirror_methods);
  r.mirror = mirror;
  return r;
}

}  // namespace

TEST_CASE("safe methods are mirrored, unsafe ones only where listed") {
  config::Config cfg;
  CHECK(decide_mirror(cfg, route_with(), "GET", 0.5, 0.9).mirror);
  CHECK(decide_mirror(cfg, route_with(), "head", 0.5, 0.9).mirror);
  CHECK_FALSE(decide_mirror(cfg, route_with(), "POST", 0.5, 0.9).mirror);
  CHECK(decide_mirror(cfg, route_with({"POST"}), "POST", 0.5, 0.9).mirror);
  cfg.mirror.methods.push_back("DELETE");
  CHECK(decide_mirror(cfg, route_with(), "DELETE", 0.5, 0.9).mirror);
}

TEST_CASE("the kill switch and per-route switch win") {
  config::Config cfg;
  CHECK_FALSE(decide_mirror(cfg, route_with({}, false), "GET", 0.0, 0.0).mirror);
  cfg.mirror.enabled = false;
  CHECK_FALSE(decide_mirror(cfg, route_with({"POST"}, true), "GET", 0.0, 0.0).mirror);
}

TEST_CASE("sampling follows sample_percent with the random value passed in") {
  config::Config cfg;
  cfg.mirror.sample_percent = 25;
  CHECK(decide_mirror(cfg, route_with(), "GET", 0.2499, 0.9).mirror);
  CHECK_FALSE(decide_mirror(cfg, route_with(), "GET", 0.25, 0.9).mirror);
  cfg.mirror.sample_percent = 0;
  CHECK_FALSE(decide_mirror(cfg, route_with(), "GET", 0.0, 0.9).mirror);
}

TEST_CASE("only safe mirrored requests are resampled to legacy, and only when learning") {
  config::Config cfg;
  cfg.compare.noise.resample_percent = 10;
  CHECK(decide_mirror(cfg, route_with(), "GET", 0.5, 0.05).resample_legacy);
  CHECK_FALSE(decide_mirror(cfg, route_with(), "GET", 0.5, 0.10).resample_legacy);
  CHECK_FALSE(decide_mirror(cfg, route_with({"POST"}), "POST", 0.5, 0.0).resample_legacy);
  cfg.compare.noise.learn = false;
  CHECK_FALSE(decide_mirror(cfg, route_with(), "GET", 0.5, 0.0).resample_legacy);
}
