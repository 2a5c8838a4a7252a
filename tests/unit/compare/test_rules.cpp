#include <catch2/catch.hpp>

#include <limits>

#include "compare/compare.h"
#include "compare/validate_rules.h"
#include "support.h"

using namespace parity;
using namespace parity::compare;
using nlohmann::json;

TEST_CASE("validate_rules names the key and the reason of every problem", "[rules]") {
  CHECK(validate_rules(Rules{}).empty());

  Rules rules;
  rules.ignore = {"/id", "created", "/**/request_id", "/a~9"};
  rules.unordered = {"/data", "status"};
  rules.noise.fields = {"header:date", "/events/*/id", ""};
  rules.headers = {"content-type", "bad header"};
  rules.number_tolerance = -1;
  rules.error_formats = {ErrorFormat{json::parse(R"({"detail":"$message"})"), json::parse(R"({"error":"$msg"})"), {{422, 1000}}}};
  rules.noise.resample_percent = 150;

  std::vector<std::string> keys;
  for (const auto& e : validate_rules(rules)) {
    INFO(e.key << ": " << e.reason);
    CHECK_FALSE(e.reason.empty());
    keys.push_back(e.key);
  }
  const std::vector<std::string> expected = {"compare.ignore[1]",
                                             "compare.ignore[3]",
                                             "compare.unordered[1]",
                                             "compare.noise.fields[2]",
                                             "compare.headers[1]",
                                             "compare.number_tolerance",
                                             "compare.error_formats[0].legacy",
                                             "compare.error_formats[0].candidate",
                                             "compare.error_formats[0].statuses[0]",
                                             "compare.noise.resample_percent"};
  CHECK(keys == expected);

  rules = Rules{};
  rules.number_tolerance = std::numeric_limits<double>::quiet_NaN();
  REQUIRE(validate_rules(rules).size() == 1);
  CHECK(validate_rules(rules)[0].key == "compare.number_tolerance");
}

TEST_CASE("rules applied by compare_responses", "[rules]") {
  const auto legacy = test::response(200, R"({"id":"a1","created":1,"user":{"name":"Ada","seen":"10:00"},"tags":["x","y"]})",
                                     {{"content-type", "application/json"}, {"date", "Mon"}});
  const auto candidate = test::response(200, R"({"id":"b2","created":2,"user":{"name":"Ada","seen":"10:05"},"tags":["y","x"]})",
                                        {{"content-type", "application/json"}, {"date", "Tue"}});
  Rules rules;
  rules.headers = {"content-type", "date"};

  SECTION("without rules every change counts") {
    auto c = compare_responses(legacy, candidate, rules);
    CHECK(c.verdict == Verdict::mismatch);
    CHECK(c.differences.size() == 6);  // date, created, id, tags/0, tags/1, user/seen
  }
  SECTION("ignored differences are dropped, noise differences kept and explained") {
    rules.ignore = {"/id", "/created", "header:date"};
    rules.unordered = {"/tags"};
    rules.noise.fields = {"/**/seen"};
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].pointer == "/user/seen");
    CHECK(c.differences[0].explained == Explained::noise);
    CHECK(c.verdict == Verdict::match);
  }
  SECTION("noise fields can name headers and the status") {
    rules.ignore = {"/id", "/created", "/tags", "/user"};
    rules.noise.fields = {"header:date", "status"};
    auto other_status = candidate;
    other_status.status = 203;
    auto c = compare_responses(legacy, other_status, rules);
    REQUIRE(c.differences.size() == 2);
    CHECK(c.differences[0].pointer == "status");
    CHECK(c.differences[0].explained == Explained::noise);
    CHECK(c.differences[1].pointer == "header:date");
    CHECK(c.differences[1].explained == Explained::noise);
    CHECK(c.verdict == Verdict::match);
  }
  SECTION("number tolerance comes from the rules") {
    auto a = test::response(200, R"({"score":0.8125})"), b = test::response(200, R"({"score":0.8126})");
    CHECK(compare_responses(a, b, rules).verdict == Verdict::mismatch);
    rules.number_tolerance = 1e-3;
    CHECK(compare_responses(a, b, rules).verdict == Verdict::match);
  }
  SECTION("an ignore glob of /** drops a non-JSON body difference too") {
    rules.ignore = {"/**"};
    auto c = compare_responses(test::response(200, "<p>a</p>", {}), test::response(200, "<p>b</p>", {}), rules);
    CHECK(c.differences.empty());
  }
  SECTION("invalid globs are skipped, not fatal, on the compare path") {
    rules.ignore = {"id", "/id", "/created"};
    rules.headers = {};
    rules.unordered = {"/tags"};
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].pointer == "/user/seen");
  }
}
