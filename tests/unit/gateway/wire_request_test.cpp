#include <catch2/catch.hpp>

#include "gateway/upstream/wire_format.h"
#include "gateway/upstream/wire_request.h"

using namespace parity;
using namespace parity::upstream;

namespace {

http::request<http::string_body> sample(std::string body) {
  http::request<http::string_body> request;
  request.method(http::verb::post);
  request.target("/client/path?q=%2F");
  request.version(11);
  request.insert("host", "gateway.example");
  request.insert("X-Parity-Mirror", "0");  // sent by the client: the copy must not carry it
  request.insert("Cookie", "s=abc%3D%3D");
  request.insert("X-Dup", "1");
  request.insert("X-Dup", "2");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

}  // namespace

TEST_CASE("a wire copy has the new target, the overrides last, every other field and the body as they were",
          "[wire]") {
  auto request = sample("{\"a\": 1}");
  auto wire = to_wire(request, "/base/path?q=%2F", {{"Host", "backend:8000"}, {"X-Parity-Mirror", "1"}});
  CHECK(wire.method == http::verb::post);
  CHECK(wire.bytes ==
        "POST /base/path?q=%2F HTTP/1.1\r\nCookie: s=abc%3D%3D\r\nX-Dup: 1\r\nX-Dup: 2\r\nContent-Length: 8\r\n"
        "Host: backend:8000\r\nX-Parity-Mirror: 1\r\n\r\n{\"a\": 1}");
}

TEST_CASE("without overrides a wire copy is the bytes the pool writes for the message", "[wire]") {
  auto request = sample(std::string(3000, 'x'));
  std::string expected;
  append_request_head(expected, request.base());
  expected += request.body();
  CHECK(to_wire(request, sv(request.target())).bytes == expected);
}

TEST_CASE("a chunked request's wire copy carries its body as one chunk, and parses back", "[wire]") {
  auto request = sample("hello");
  request.chunked(true);
  auto wire = to_wire(request, "/t", {{"X-Parity-Mirror", "1"}});
  CHECK(wire.bytes.ends_with("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));

  http::request_parser<http::string_body> parser;
  parser.eager(true);
  error_code ec;
  CHECK(parser.put(asio::buffer(wire.bytes), ec) == wire.bytes.size());
  REQUIRE_FALSE(ec);
  REQUIRE(parser.is_done());
  CHECK(parser.get().body() == "hello");
  CHECK(parser.get()["X-Parity-Mirror"] == "1");
  CHECK(parser.get().count("X-Parity-Mirror") == 1);
  CHECK(parser.get()[http::field::host] == "gateway.example");

  auto empty = sample("");
  empty.chunked(true);
  CHECK(to_wire(empty, "/t").bytes.ends_with("chunked\r\n\r\n0\r\n\r\n"));
}
