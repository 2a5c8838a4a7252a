#include <catch2/catch.hpp>

#include "compare/decode.h"
#include "support.h"

using namespace parity;
using namespace parity::compare;

namespace {

// Varied enough that compressed prefixes are real prefixes of the stream.
const std::string kJson = [] {
  std::string s = R"({"message":"héllo wörld","items":[)";
  for (int i = 0; i < 1500; ++i) s += std::to_string(i * 7919 % 10007) + ",";
  return s + R"(0],"padding":")" + std::string(4000, 'p') + "\"}";
}();

std::string corrupted(std::string s) {
  for (std::size_t i = 12; i < 40 && i < s.size(); ++i) s[i] = static_cast<char>(s[i] ^ 0x5A);
  return s;
}

HttpResponse encoded(std::string body, std::string encoding) {
  return test::response(200, std::move(body), {{"Content-Type", "application/json"}, {"Content-Encoding", encoding}});
}

}  // namespace

TEST_CASE("content encodings are undone", "[decode]") {
  struct Case {
    const char* name;
    std::string body;
    std::string encoding;
  };
  const Case cases[] = {
      {"identity", kJson, "identity"},
      {"gzip", test::gzip(kJson), "gzip"},
      {"x-gzip alias, any case", test::gzip(kJson), "X-GZIP"},
      {"deflate, zlib-wrapped", test::deflate_with(kJson, 15), "deflate"},
      {"deflate, raw (what some servers send)", test::deflate_with(kJson, -15), "deflate"},
      {"br", test::brotli(kJson), "br"},
      {"gzip then br, undone in reverse order", test::brotli(test::gzip(kJson)), "gzip, br"},
      {"concatenated gzip members", test::gzip(kJson.substr(0, 100)) + test::gzip(kJson.substr(100)), "gzip"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto body = decode_body(encoded(c.body, c.encoding));
      CHECK(body.error.empty());
      CHECK(body.text == kJson);
      CHECK(body.media_type == "application/json");
      CHECK_FALSE(body.opaque);
    }
  }
  SECTION("encodings listed in two headers") {
    auto r = test::response(200, test::brotli(test::gzip(kJson)),
                            {{"content-encoding", "gzip"}, {"content-encoding", "br"}});
    CHECK(decode_body(r).text == kJson);
  }
  SECTION("an empty body decodes to empty whatever the encoding says (HEAD, 204, 304)") {
    auto body = decode_body(encoded("", "gzip"));
    CHECK(body.error.empty());
    CHECK(body.text.empty());
  }
}

TEST_CASE("bodies that fail to decode give a reason, never a crash", "[decode]") {
  const std::string gz = test::gzip(kJson);
  struct Case {
    const char* name;
    std::string body;
    std::string encoding;
    const char* reason;
  };
  const Case cases[] = {
      {"not gzip at all", "plain text", "gzip", "gzip"},
      {"corrupt gzip", corrupted(gz), "gzip", "gzip"},
      {"truncated gzip", gz.substr(0, gz.size() / 2), "gzip", "ends early"},
      {"bytes after the gzip stream", gz + "junk", "gzip", "after the end"},
      {"corrupt br", "\xff\xff\xff\xff not brotli", "br", "br"},
      {"truncated br", test::brotli(kJson).substr(0, 20), "br", "ends early"},
      {"corrupt deflate", "\x78\x9c garbage here", "deflate", "deflate"},
      {"unknown coding", kJson, "compress", "unsupported content-encoding: compress"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto body = decode_body(encoded(c.body, c.encoding));
      CHECK_THAT(body.error, Catch::Contains(c.reason));
      CHECK(body.text == c.body);  // the raw bytes, for the byte comparison
    }
  }
  SECTION("decompression is bounded") {
    auto body = decode_body(encoded(test::gzip(std::string(1 << 20, '\0')), "gzip"), 1000);
    CHECK_THAT(body.error, Catch::Contains("exceeds 1000 bytes"));
  }
}

TEST_CASE("a truncated body decodes to the prefix that can be decoded", "[decode]") {
  for (std::string encoding : {"gzip", "br"}) {
    INFO(encoding);
    const std::string full = encoding == "gzip" ? test::gzip(kJson) : test::brotli(kJson);
    auto r = encoded(full.substr(0, full.size() * 2 / 3), encoding);
    r.body_truncated = true;
    auto body = decode_body(r);
    CHECK(body.error.empty());
    CHECK(body.truncated);
    CHECK(body.text.size() < kJson.size());
    CHECK(kJson.starts_with(body.text));
  }
}

TEST_CASE("charsets are converted to UTF-8", "[decode]") {
  struct Case {
    const char* name;
    std::string content_type;
    std::string body;
    std::string text;
  };
  const Case cases[] = {
      {"utf-8 is the default", "application/json", "{\"s\":\"caf\xC3\xA9\"}", "{\"s\":\"caf\xC3\xA9\"}"},
      {"a UTF-8 byte order mark is dropped", "text/plain; charset=utf-8", "\xEF\xBB\xBFhi", "hi"},
      {"iso-8859-1", "text/plain; charset=ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
      {"quoted latin1", "text/plain; charset=\"latin1\"", "\xFC", "\xC3\xBC"},
      {"latin1 labels decode as windows-1252, as browsers do", "text/plain;charset=iso-8859-1", "\x93x\x94",
       "\xE2\x80\x9Cx\xE2\x80\x9D"},
      {"us-ascii", "text/plain; charset=us-ascii", "plain", "plain"},
      {"utf-16le with BOM", "application/json; charset=utf-16",
       std::string("\xFF\xFE{\0}\0", 6), "{}"},
      {"utf-16 without BOM is big-endian", "application/json; charset=utf-16",
       std::string("\0{\0}", 4), "{}"},
      {"utf-16be with a surrogate pair", "text/plain; charset=utf-16be", std::string("\xD8\x3D\xDE\x00", 4),
       "\xF0\x9F\x98\x80"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto body = decode_body(test::response(200, c.body, {{"content-type", c.content_type}}));
      CHECK(body.error.empty());
      CHECK_FALSE(body.opaque);
      CHECK(body.text == c.text);
    }
  }
  SECTION("an unknown charset leaves the bytes and marks the body opaque") {
    auto body = decode_body(test::response(200, "\x82\xa0", {{"content-type", "text/plain; charset=shift_jis"}}));
    CHECK(body.opaque);
    CHECK(body.error.empty());
    CHECK(body.text == "\x82\xa0");
  }
  SECTION("broken utf-16 is a decode error") {
    auto odd = decode_body(test::response(200, std::string("\0{\0", 3), {{"content-type", "text/plain; charset=utf-16"}}));
    CHECK_THAT(odd.error, Catch::Contains("odd number of bytes"));
    auto lone = decode_body(test::response(200, std::string("\xDC\x00\x00a", 4), {{"content-type", "text/plain; charset=utf-16be"}}));
    CHECK_THAT(lone.error, Catch::Contains("surrogate"));
  }
  SECTION("charset after content-encoding") {
    auto r = test::response(200, test::gzip("caf\xE9"), {{"content-type", "text/plain; charset=latin1"},
                                                          {"content-encoding", "gzip"}});
    CHECK(decode_body(r).text == "caf\xC3\xA9");
  }
}

TEST_CASE("content-type helpers", "[decode]") {
  CHECK(media_type_of(" Application/JSON ; charset=utf-8") == "application/json");
  CHECK(media_type_of("") == "");
  CHECK(content_type_parameter("text/html; Charset=\"UTF-8\"; q=1", "charset") == "UTF-8");
  CHECK(content_type_parameter("text/html;boundary=x;charset=latin1", "charset") == "latin1");
  CHECK(content_type_parameter("text/html", "charset") == "");
  CHECK(is_json_media_type("application/json"));
  CHECK(is_json_media_type("application/problem+json"));
  CHECK(is_json_media_type("text/json"));
  CHECK_FALSE(is_json_media_type("application/jsonl"));
  CHECK_FALSE(is_json_media_type("text/html"));
}
