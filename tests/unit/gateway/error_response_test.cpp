#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gateway/error_response.h"

using namespace parity::gateway;

TEST_CASE("gateway errors use one JSON format with the request id") {
  auto body = nlohmann::json::parse(error_body({404, "no_route", "no route for GET /x"}, "rid-1"));
  CHECK(body == nlohmann::json{{"error", {{"message", "no route for GET /x"}, {"type", "no_route"}, {"request_id", "rid-1"}}}});
}

TEST_CASE("invalid UTF-8 in a message does not throw") {
  std::string message = "bad \xff byte";
  auto body = nlohmann::json::parse(error_body({400, "bad_request", message}, "rid"));
  CHECK(body["error"]["type"] == "bad_request");
}
