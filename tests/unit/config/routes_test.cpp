#include <catch2/catch.hpp>

#include "config/routes.h"

using namespace parity::config;

namespace {

RouteConfig path(std::string p, std::vector<std::string> methods = {}) {
  RouteConfig r;
  r.path = r.name = std::move(p);
  r.methods = std::move(methods);
  return r;
}

RouteConfig prefix(std::string p, bool strip = false, std::string rewrite = "") {
  RouteConfig r;
  r.prefix = r.name = std::move(p);
  r.strip_prefix = strip;
  r.rewrite = std::move(rewrite);
  return r;
}

}  // namespace

TEST_CASE("first match wins across exact, template and prefix routes") {
  std::vector<RouteConfig> routes = {path("/v1/chat/completions", {"POST"}), path("/v1/files/{file_id}"),
                                     prefix("/v1/")};
  struct Case {
    const char* method;
    const char* target;
    std::optional<std::size_t> index;
    const char* upstream;
  };
  auto c = GENERATE(values<Case>({
      {"POST", "/v1/chat/completions", 0, "/v1/chat/completions"},
      {"GET", "/v1/chat/completions", 2, "/v1/chat/completions"},
      {"GET", "/v1/files/file-123?x=1", 1, "/v1/files/file-123?x=1"},
      {"DELETE", "/v1/files/file-123", 1, "/v1/files/file-123"},
      {"GET", "/v1/files/", 2, "/v1/files/"},
      {"GET", "/v1/files/a/b", 2, "/v1/files/a/b"},
      {"GET", "/v2/models", std::nullopt, ""},
      {"GET", "/v1", std::nullopt, ""},
  }));
  auto match = match_route(routes, c.method, c.target);
  INFO(c.method << " " << c.target);
  REQUIRE(match.has_value() == c.index.has_value());
  if (match) {
    CHECK(match->index == *c.index);
    CHECK(match->upstream_target == c.upstream);
  }
}

TEST_CASE("strip_prefix and rewrite change the upstream path, keep the query") {
  std::vector<RouteConfig> routes = {prefix("/api/", true), prefix("/old/", false, "/new/")};
  auto stripped = match_route(routes, "GET", "/api/users/7?q=%2F");
  REQUIRE(stripped);
  CHECK(stripped->upstream_target == "/users/7?q=%2F");
  auto rewritten = match_route(routes, "GET", "/old/thing");
  REQUIRE(rewritten);
  CHECK(rewritten->upstream_target == "/new/thing");
}

TEST_CASE("methods are matched case-insensitively") {
  std::vector<RouteConfig> routes = {path("/x", {"POST"})};
  CHECK(match_route(routes, "post", "/x"));
  CHECK_FALSE(match_route(routes, "GET", "/x"));
}

TEST_CASE("shadowed routes are reported") {
  CHECK(validate_routes({prefix("/"), path("/health")}).size() == 1);
  CHECK(validate_routes({path("/v1/files/{id}"), path("/v1/files/abc")}).size() == 1);
  CHECK(validate_routes({path("/v1/files/abc"), path("/v1/files/{id}")}).empty());
  CHECK(validate_routes({path("/x", {"GET"}), path("/x", {"POST"})}).empty());
  CHECK(validate_routes({path("/x"), path("/x", {"POST"})}).size() == 1);
  CHECK(validate_routes({path("/x", {"GET"}), path("/x")}).empty());
}
