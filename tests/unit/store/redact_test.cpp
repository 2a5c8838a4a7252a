#include "store/redact.h"

#include <catch2/catch.hpp>

namespace parity::store {

TEST_CASE("built-in secret headers are recognised case-insensitively", "[redact]") {
  const std::vector<std::string> none;
  for (const char* name : {"Authorization", "authorization", "PROXY-AUTHORIZATION", "Cookie", "set-cookie"}) {
    INFO(name);
    CHECK(is_secret_header(name, none));
  }
  for (const char* name : {"Content-Type", "X-Request-ID", "Authorization-Hint", "Cookies", ""}) {
    INFO(name);
    CHECK_FALSE(is_secret_header(name, none));
  }
}

TEST_CASE("configured headers are secret too", "[redact]") {
  const std::vector<std::string> extra{"X-Api-Key", "x-internal-token"};
  CHECK(is_secret_header("x-api-key", extra));
  CHECK(is_secret_header("X-INTERNAL-TOKEN", extra));
  CHECK_FALSE(is_secret_header("x-api", extra));
}

TEST_CASE("redact_headers replaces secret values and keeps order and duplicates", "[redact]") {
  const Headers in{{"Content-Type", "application/json"},
                   {"Authorization", "Bearer sk-123"},
                   {"Set-Cookie", "a=1"},
                   {"set-cookie", "b=2"},
                   {"X-Api-Key", "k"},
                   {"Accept", "*/*"}};
  const auto out = redact_headers(in, {"x-api-key"});
  const Headers want{{"Content-Type", "application/json"},
                     {"Authorization", "[redacted]"},
                     {"Set-Cookie", "[redacted]"},
                     {"set-cookie", "[redacted]"},
                     {"X-Api-Key", "[redacted]"},
                     {"Accept", "*/*"}};
  CHECK(out == want);
  CHECK(redact_headers({}, {}).empty());
}

}  // namespace parity::store
