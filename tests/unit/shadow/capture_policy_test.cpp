#include <catch2/catch.hpp>

#include "shadow/capture_policy.h"

using namespace parity;
using namespace parity::shadow;

namespace {

config::RouteConfig route_named(std::string name, std::optional<bool> capture = {}) {
  config::RouteConfig r = config::default_route();
  r.name = std::move(name);
  r.capture = capture;
  return r;
}

config::Config capturing() {
  config::Config cfg;
  cfg.capture.enabled = true;
  return cfg;
}

}  // namespace

TEST_CASE("capture is off by default and enabled is the kill switch") {
  config::Config cfg;
  CHECK_FALSE(decide_capture(cfg, route_named("/"), 0.0));
  CHECK(decide_capture(capturing(), route_named("/"), 0.0));
  cfg.capture.enabled = false;
  CHECK_FALSE(decide_capture(cfg, route_named("/", true), 0.0));
}

TEST_CASE("capture follows sample_percent with the random value passed in") {
  auto cfg = capturing();
  cfg.capture.sample_percent = 10;
  CHECK(decide_capture(cfg, route_named("/"), 0.0999));
  CHECK_FALSE(decide_capture(cfg, route_named("/"), 0.10));
  cfg.capture.sample_percent = 0;
  CHECK_FALSE(decide_capture(cfg, route_named("/"), 0.0));
}

TEST_CASE("capture.routes selects routes, a route's own capture key wins") {
  auto cfg = capturing();
  cfg.capture.routes = {"/v1/chat/completions"};
  CHECK(decide_capture(cfg, route_named("/v1/chat/completions"), 0.5));
  CHECK_FALSE(decide_capture(cfg, route_named("/v1/models"), 0.5));
  CHECK(decide_capture(cfg, route_named("/v1/models", true), 0.5));
  CHECK_FALSE(decide_capture(cfg, route_named("/v1/chat/completions", false), 0.5));
  cfg.capture.routes.clear();
  CHECK_FALSE(decide_capture(cfg, route_named("/v1/files", false), 0.5));
}

TEST_CASE("the capture rate limit is a token bucket over the time passed in") {
  using namespace std::chrono_literals;
  CaptureRateLimit limit;
  const auto t0 = std::chrono::steady_clock::time_point(100s);
  CHECK(limit.admit(0, t0));  // no cap
  CHECK(limit.admit(2, t0));
  CHECK(limit.admit(2, t0));
  CHECK_FALSE(limit.admit(2, t0));           // a burst of one second's worth
  CHECK_FALSE(limit.admit(2, t0 + 400ms));   // 0.8 token
  CHECK(limit.admit(2, t0 + 500ms));         // 1 token
  CHECK_FALSE(limit.admit(2, t0 + 500ms));
  CHECK(limit.admit(2, t0 + 10s));
  CHECK(limit.admit(2, t0 + 10s));
  CHECK_FALSE(limit.admit(2, t0 + 10s));     // refill is capped at the burst
}

TEST_CASE("a capture drops secrets and per-hop headers, keeps the rest in order, bounds the body") {
  HttpRequest req;
  req.method = "POST";
  req.target = "/v1/chat/completions?stream=false";
  req.headers = {{"Host", "127.0.0.1:8000"},
                 {"Authorization", "Bearer sk-live-SECRET"},
                 {"content-type", "application/json"},
                 {"Cookie", "session=SECRET"},
                 {"X-Api-Key", "SECRET-KEY"},
                 {"X-Forwarded-For", "10.0.0.7"},
                 {"X-Request-ID", "abc"},
                 {"Content-Length", "12"},
                 {"x-tenant", "acme"},
                 {"Proxy-Authorization", "Basic SECRET"}};
  req.body = "0123456789AB";
  const auto ts = std::chrono::system_clock::time_point(std::chrono::seconds(1'764'095'840));
  auto out = make_capture(req, {ts, "10.0.0.7", "/v1/chat/completions", "abc"}, 8, {"x-api-key"});
  REQUIRE(out.request.headers.size() == 2);
  CHECK(out.request.headers[0] == Header{"content-type", "application/json"});
  CHECK(out.request.headers[1] == Header{"x-tenant", "acme"});
  CHECK(out.request.body == "01234567");
  CHECK(out.body_truncated);
  CHECK(out.request.target == "/v1/chat/completions?stream=false");
  CHECK(out.client == "10.0.0.7");
  CHECK(out.route == "/v1/chat/completions");
  CHECK(out.request_id == "abc");
  const std::string line = store::traffic_to_json(out).dump();
  CHECK(line.find("SECRET") == std::string::npos);
  std::string error;
  auto parsed = store::parse_traffic_line(line, error);
  REQUIRE(parsed);
  CHECK(parsed->body_truncated);
  CHECK(parsed->request.body == "01234567");

  auto whole = make_capture(req, {ts, "", "/", ""}, 64, {});
  CHECK_FALSE(whole.body_truncated);
  CHECK(whole.request.body == req.body);
}
