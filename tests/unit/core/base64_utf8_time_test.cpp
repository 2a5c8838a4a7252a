#include <catch2/catch.hpp>

#include "core/base64.h"
#include "core/time_format.h"
#include "core/utf8.h"

using namespace parity;

TEST_CASE("base64 round-trips every length and byte value", "[base64]") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(base64_decode(base64_encode(bytes)) == bytes);
    bytes += static_cast<char>(i * 7 % 256);
  }
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("f") == "Zg==");
}

TEST_CASE("base64 rejects malformed text", "[base64]") {
  CHECK_FALSE(base64_decode("Zm9"));        // not a multiple of 4
  CHECK_FALSE(base64_decode("Zm9v!mFy"));   // bad character
  CHECK_FALSE(base64_decode("Zg==Zm9v"));   // padding before the end
  CHECK_FALSE(base64_decode("Z==="));       // too much padding
  CHECK_FALSE(base64_decode("Zm9v YmFy"));  // whitespace
  CHECK(base64_decode("") == std::string());
}

TEST_CASE("UTF-8 validation", "[utf8]") {
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc3"));              // truncated
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("RFC 3339 parsing reads what the records write", "[time]") {
  auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795631840123));
  auto text = format_rfc3339_ms(now);
  auto parsed = parse_rfc3339(text);
  REQUIRE(parsed);
  CHECK(*parsed == now);
  auto offset = parse_rfc3339("2026-11-25T20:37:20.123+02:00");
  REQUIRE(offset);
  CHECK(format_rfc3339_ms(*offset) == "2026-11-25T18:37:20.123Z");
  CHECK(parse_rfc3339("2026-11-25T18:37:20Z"));
  CHECK_FALSE(parse_rfc3339("2026-11-25 garbage"));
  CHECK_FALSE(parse_rfc3339("2026-13-25T18:37:20Z"));
  CHECK_FALSE(parse_rfc3339("2026-11-25T18:37:20"));  // no zone
  CHECK_FALSE(parse_rfc3339("2026-11-25T18:37:20.Z"));
}
