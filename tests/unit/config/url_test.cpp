#include <catch2/catch.hpp>

#include "config/url.h"

using namespace parity::config;

TEST_CASE("backend URLs parse with default ports, IPv6 and a base path") {
  std::string reason;
  auto a = parse_url("http://127.0.0.1:8000", reason);
  REQUIRE(a);
  CHECK(a->scheme == "http");
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8000);
  CHECK(a->base_path.empty());

  auto b = parse_url("https://api.example.test/legacy/", reason);
  REQUIRE(b);
  CHECK(b->port == 443);
  CHECK(b->base_path == "/legacy");

  auto c = parse_url("http://[::1]:9000", reason);
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->port == 9000);
}

TEST_CASE("bad URLs give a reason") {
  std::string reason;
  for (const char* text : {"127.0.0.1:8000", "ftp://h", "http://", "http://h:0", "http://h:x", "http://[::1",
                           "http://h/path?q=1"}) {
    reason.clear();
    INFO(text);
    CHECK_FALSE(parse_url(text, reason));
    CHECK_FALSE(reason.empty());
  }
}

TEST_CASE("listen addresses") {
  std::string reason;
  auto any = parse_host_port(":8443", reason);
  REQUIRE(any);
  CHECK(any->host == "0.0.0.0");
  CHECK(any->port == 8443);
  auto zero = parse_host_port("127.0.0.1:0", reason);
  REQUIRE(zero);
  CHECK(zero->port == 0);
  CHECK_FALSE(parse_host_port("127.0.0.1", reason));
  CHECK_FALSE(parse_host_port("127.0.0.1:70000", reason));
}
