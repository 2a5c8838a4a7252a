#include <catch2/catch.hpp>

#include "gateway/request_id.h"

using namespace parity::gateway;

TEST_CASE("request ids: valid ones are kept, others replaced") {
  CHECK(is_valid_request_id("abc-123_x.y:z"));
  CHECK(is_valid_request_id(std::string(128, 'a')));
  CHECK_FALSE(is_valid_request_id(""));
  CHECK_FALSE(is_valid_request_id(std::string(129, 'a')));
  CHECK_FALSE(is_valid_request_id("has space"));
  CHECK_FALSE(is_valid_request_id("new\nline"));
  CHECK_FALSE(is_valid_request_id("<script>"));
}

TEST_CASE("new request ids are 32 hex characters, distinct, and reproducible from a seed") {
  std::mt19937_64 a(42), b(42);
  auto first = new_request_id(a);
  CHECK(first.size() == 32);
  CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(is_valid_request_id(first));
  CHECK(new_request_id(a) != first);
  CHECK(new_request_id(b) == first);
}
