#include <catch2/catch.hpp>

#include "compare/error_format.h"

using namespace parity::compare;
using nlohmann::json;

TEST_CASE("error templates match bodies and bind placeholders", "[error_format]") {
  struct Case {
    const char* name;
    const char* tmpl;
    const char* body;
    bool matches;
    const char* bindings;  // JSON object of the expected bindings when it matches
  };
  const Case cases[] = {
      {"a placeholder binds a string", R"({"detail":"$message"})", R"({"detail":"Not Found"})", true,
       R"({"message":"Not Found"})"},
      {"a placeholder binds any value", R"({"detail":"$d"})", R"({"detail":[{"loc":["body"],"msg":"x"}]})", true,
       R"({"d":[{"loc":["body"],"msg":"x"}]})"},
      {"nested objects", R"({"error":{"message":"$m","type":"*"}})",
       R"({"error":{"type":"not_found","message":"gone"}})", true, R"({"m":"gone"})"},
      {"* needs the field to be present", R"({"error":{"message":"$m","type":"*"}})",
       R"({"error":{"message":"gone"}})", false, nullptr},
      {"an extra field is not explained", R"({"detail":"$m"})", R"({"detail":"x","code":7})", false, nullptr},
      {"a missing field is not explained", R"({"detail":"$m","code":"*"})", R"({"detail":"x"})", false, nullptr},
      {"literal values must be equal", R"({"error":{"type":"invalid_request_error","message":"$m"}})",
       R"({"error":{"type":"server_error","message":"x"}})", false, nullptr},
      {"numbers compare by value", R"({"code":404,"detail":"$m"})", R"({"code":404.0,"detail":"x"})", true,
       R"({"m":"x"})"},
      {"$$ is a literal $", R"({"currency":"$$USD"})", R"({"currency":"$USD"})", true, R"({})"},
      {"$$ does not match other strings", R"({"currency":"$$USD"})", R"({"currency":"USD"})", false, nullptr},
      {"arrays match element-wise", R"({"errors":["$first","*"]})", R"({"errors":["a","b"]})", true,
       R"({"first":"a"})"},
      {"arrays of another length do not match", R"({"errors":["$first"]})", R"({"errors":["a","b"]})", false,
       nullptr},
      {"a name bound twice must bind equal values", R"({"a":"$x","b":"$x"})", R"({"a":1,"b":2})", false, nullptr},
      {"a name bound twice to equal values", R"({"a":"$x","b":"$x"})", R"({"a":1,"b":1})", true, R"({"x":1})"},
      {"not an object", R"({"detail":"$m"})", R"("Not Found")", false, nullptr},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto bindings = match_template(json::parse(c.tmpl), json::parse(c.body));
      REQUIRE(bindings.has_value() == c.matches);
      if (c.matches) {
        CHECK(json(*bindings) == json::parse(c.bindings));
      }
    }
  }
}

TEST_CASE("an error format explains a pair only with equal bindings", "[error_format]") {
  const std::vector<ErrorFormat> formats = {
      {json::parse(R"({"detail":"$message"})"), json::parse(R"({"error":{"message":"$message","type":"*"}})"), {}},
      {json::parse(R"({"detail":"*"})"), json::parse(R"({"error":{"message":"*","type":"invalid_request_error"}})"),
       {{422, 400}}},
  };
  const json legacy = json::parse(R"({"detail":"Not Found"})");
  CHECK(find_error_format(formats, legacy, json::parse(R"({"error":{"message":"Not Found","type":"x"}})"), 404, 404) ==
        0u);
  CHECK_FALSE(find_error_format(formats, legacy, json::parse(R"({"error":{"message":"Gone","type":"x"}})"), 404, 404));
  // The first format fails on the message; the second explains any detail against this type, but only
  // for the status pairs it lists.
  const json gone = json::parse(R"({"error":{"message":"Gone","type":"invalid_request_error"}})");
  CHECK(find_error_format(formats, legacy, gone, 422, 400) == 1u);
  CHECK_FALSE(find_error_format(formats, legacy, gone, 404, 404));
  CHECK_FALSE(find_error_format(formats, json::parse(R"({"other":1})"), json::parse(R"({"other":1})"), 200, 200));
  CHECK_FALSE(find_error_format({}, legacy, legacy, 404, 404));

  CHECK(explains_status(formats[1], 422, 400));
  CHECK(explains_status(formats[1], 404, 404));
  CHECK_FALSE(explains_status(formats[1], 400, 422));
  CHECK_FALSE(explains_status(formats[0], 422, 400));
}

TEST_CASE("error formats are validated with the field and the reason", "[error_format]") {
  const auto errors_of = [](const char* legacy, const char* candidate, std::vector<std::pair<int, int>> statuses = {}) {
    return error_format_errors(ErrorFormat{json::parse(legacy), json::parse(candidate), std::move(statuses)});
  };
  CHECK(errors_of(R"({"detail":"$message"})", R"({"error":{"message":"$message","type":"*"}})", {{422, 400}})
            .empty());

  auto e = errors_of(R"("$message")", R"({"error":"$message"})");
  REQUIRE(e.size() == 1);
  CHECK(e[0].first == "legacy");
  CHECK_THAT(e[0].second, Catch::Contains("JSON object"));

  e = errors_of(R"({"detail":"$1st"})", R"({"error":"$"})");
  REQUIRE(e.size() == 2);
  CHECK(e[0].first == "legacy");
  CHECK_THAT(e[0].second, Catch::Contains("$1st"));
  CHECK(e[1].first == "candidate");

  e = errors_of(R"({"detail":"$message"})", R"({"error":{"msg":"$mesage"}})");
  REQUIRE(e.size() == 2);
  CHECK_THAT(e[0].second, Catch::Contains("$message is bound here but not in the candidate"));
  CHECK_THAT(e[1].second, Catch::Contains("$mesage"));

  e = errors_of(R"({"detail":"*"})", R"({"error":"*"})", {{422, 400}, {99, 400}, {422, 600}});
  REQUIRE(e.size() == 2);
  CHECK(e[0].first == "statuses[1]");
  CHECK(e[1].first == "statuses[2]");
}
