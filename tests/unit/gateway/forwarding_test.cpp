#include <catch2/catch.hpp>

#include "gateway/forwarding.h"

using namespace parity;
using namespace parity::gateway;

TEST_CASE("hop-by-hop headers go, including those named by Connection, others keep bytes and order") {
  http::fields f;
  f.insert("Connection", "keep-alive, X-Secret");
  f.insert("Keep-Alive", "timeout=5");
  f.insert("X-Secret", "hop");
  f.insert("TE", "trailers");
  f.insert("Upgrade", "websocket");
  f.insert("Proxy-Authorization", "Basic x");
  f.insert("Transfer-Encoding", "chunked");
  f.insert("Cookie", "s=abc%3D%3D");
  f.insert("X-Dup", "1");
  f.insert("X-Dup", "2");
  remove_hop_by_hop(f);
  std::vector<std::pair<std::string, std::string>> left;
  for (const auto& field : f) left.emplace_back(std::string(field.name_string()), std::string(field.value()));
  CHECK(left == std::vector<std::pair<std::string, std::string>>{
                    {"Cookie", "s=abc%3D%3D"}, {"X-Dup", "1"}, {"X-Dup", "2"}});
}

TEST_CASE("X-Forwarded-For appends to an existing chain") {
  http::fields f;
  add_forwarded(f, {"10.0.0.1", "https", "api.example.test"});
  CHECK(f["X-Forwarded-For"] == "10.0.0.1");
  CHECK(f["X-Forwarded-Proto"] == "https");
  CHECK(f["X-Forwarded-Host"] == "api.example.test");
  add_forwarded(f, {"10.0.0.2", "https", "api.example.test"});
  CHECK(f["X-Forwarded-For"] == "10.0.0.1, 10.0.0.2");
}

TEST_CASE("X-Forwarded-For sent as several lines keeps every entry, in order, as one line") {
  http::fields f;
  f.insert("X-Forwarded-For", "203.0.113.7");
  f.insert("X-Other", "x");
  f.insert("X-Forwarded-For", "10.0.0.5, 10.0.0.6");
  CHECK(forwarded_for_chain(f) == "203.0.113.7, 10.0.0.5, 10.0.0.6");
  add_forwarded(f, {"127.0.0.1", "https", ""});
  CHECK(std::distance(f.equal_range("X-Forwarded-For").first, f.equal_range("X-Forwarded-For").second) == 1);
  CHECK(f["X-Forwarded-For"] == "203.0.113.7, 10.0.0.5, 10.0.0.6, 127.0.0.1");
}
