#include <catch2/catch.hpp>

#include "gateway/upstream/wire_format.h"

using namespace parity;
using namespace parity::upstream;

TEST_CASE("request heads keep field order, duplicates and bytes", "[wire]") {
  http::request_header<> head;
  head.method(http::verb::post);
  head.target("/v1/x?a=%2F&b=1");
  head.version(11);
  head.insert("Cookie", "s=abc%3D%3D");
  head.insert("X-Dup", "1");
  head.insert("Host", "backend:8000");
  head.insert("X-Dup", "2");
  std::string out = "prefix|";
  append_request_head(out, head);
  // Beast groups same-name fields together, keeping their relative order.
  CHECK(out ==
        "prefix|POST /v1/x?a=%2F&b=1 HTTP/1.1\r\nCookie: s=abc%3D%3D\r\nX-Dup: 1\r\nX-Dup: 2\r\n"
        "Host: backend:8000\r\n\r\n");
}

TEST_CASE("response heads keep the backend's reason phrase, or use the standard one", "[wire]") {
  http::response_parser<http::empty_body> parser;
  std::string raw = "HTTP/1.1 404 Nothing Here\r\nContent-Length: 0\r\nX-A: b\r\n\r\n";
  error_code ec;
  parser.put(asio::buffer(raw), ec);
  REQUIRE_FALSE(ec);
  std::string out;
  append_response_head(out, parser.get().base());
  CHECK(out == raw);

  http::response_header<> made;
  made.result(http::status::ok);
  made.version(10);
  out.clear();
  append_response_head(out, made);
  CHECK(out == "HTTP/1.0 200 OK\r\n\r\n");
}

TEST_CASE("a request body is framed as it is, or as one chunk when the request is chunked", "[wire]") {
  std::string out = "head|";
  CHECK(append_body_framing(out, false, 12).empty());
  CHECK(out == "head|");
  CHECK(append_body_framing(out, true, 0x1a) == "\r\n0\r\n\r\n");
  CHECK(out == "head|1a\r\n");
  out = "head|";
  CHECK(append_body_framing(out, true, 0) == "0\r\n\r\n");
  CHECK(out == "head|");
}

TEST_CASE("chunk sizes are hexadecimal", "[wire]") {
  std::string out;
  append_chunk_size(out, 0x1f2a);
  append_chunk_size(out, 1);
  CHECK(out == "1f2a\r\n1\r\n");
}
