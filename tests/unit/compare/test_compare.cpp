#include <catch2/catch.hpp>

#include "compare/compare.h"
#include "compare/excerpt.h"
#include "support.h"

using namespace parity;
using namespace parity::compare;
using nlohmann::json;

namespace {

HttpResponse side_from_case(const json& side) {
  HttpResponse r = test::response(side.at("status").get<int>(), test::read_case_file(side.at("body_file")));
  if (side.contains("headers")) {
    r.headers.clear();
    for (const auto& [name, value] : side["headers"].items()) r.headers.emplace_back(name, value.get<std::string>());
  }
  const std::string encoding = side.value("encoding", "");
  if (encoding == "gzip") r.body = test::gzip(r.body);
  if (encoding == "br") r.body = test::brotli(r.body);
  if (!encoding.empty()) r.headers.emplace_back("Content-Encoding", encoding);
  return r;
}

json summary(const Difference& d) {
  return {{"pointer", d.pointer}, {"kind", to_string(d.kind)}, {"explained", to_string(d.explained)}};
}

}  // namespace

TEST_CASE("response pairs from tests/unit/compare/cases", "[compare]") {
  const json manifest = json::parse(test::read_case_file("cases.json"));
  REQUIRE(manifest.at("cases").size() >= 10);
  for (const auto& c : manifest["cases"]) {
    SECTION(c.at("name").get<std::string>()) {
      const Comparison result =
          compare_responses(side_from_case(c["legacy"]), side_from_case(c["candidate"]), test::rules_from_json(c["rules"]));
      json got = json::array();
      for (const auto& d : result.differences) got.push_back(summary(d));
      INFO("differences: " << got.dump(1));
      const json& expect = c["expect"];
      CHECK(to_string(result.verdict) == expect.at("verdict").get<std::string>());
      if (expect.contains("differences")) CHECK(got == expect["differences"]);
      if (expect.contains("count")) CHECK(got.size() == expect["count"].get<std::size_t>());
      for (const auto& wanted : expect.value("includes", json::array())) {
        CHECK(std::find(got.begin(), got.end(), wanted) != got.end());
      }
      CHECK(result.omitted == 0);
    }
  }
}

TEST_CASE("status and compared headers", "[compare]") {
  Rules rules;
  rules.headers = {"content-type", "X-Api-Version"};
  auto legacy = test::response(200, "{}", {{"Content-Type", "application/json"}, {"x-api-version", "1"}});

  SECTION("a status difference is a mismatch") {
    auto candidate = legacy;
    candidate.status = 201;
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].pointer == "status");
    CHECK(c.differences[0].kind == DiffKind::status);
    CHECK(c.differences[0].legacy == 200);
    CHECK(c.differences[0].candidate == 201);
    CHECK(c.verdict == Verdict::mismatch);
  }
  SECTION("a header only on one side is a header difference with null on the other") {
    auto candidate = test::response(200, "{}", {{"content-type", "application/json"}});
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].pointer == "header:x-api-version");
    CHECK(c.differences[0].kind == DiffKind::header);
    CHECK(c.differences[0].legacy == "1");
    CHECK(c.differences[0].candidate.is_null());
  }
  SECTION("content-type compares by meaning, other headers exactly") {
    auto candidate = test::response(200, "{}", {{"content-type", "Application/JSON;charset=\"utf-8\""},
                                                {"X-API-Version", " 1 "}});
    CHECK(compare_responses(legacy, candidate, rules).differences.empty());
    candidate.headers[0].second = "application/json; charset=iso-8859-1";
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].pointer == "header:content-type");
  }
  SECTION("repeated headers are compared as one list") {
    auto a = test::response(200, "{}", {{"x-api-version", "1"}, {"x-api-version", "2"}});
    auto b = test::response(200, "{}", {{"x-api-version", "1"}});
    auto c = compare_responses(a, b, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].legacy == "1, 2");
  }
  SECTION("headers that are not configured are not compared") {
    auto candidate = legacy;
    candidate.headers.emplace_back("date", "Tue, 26 Nov 2026 10:00:00 GMT");
    CHECK(compare_responses(legacy, candidate, rules).verdict == Verdict::match);
  }
}

TEST_CASE("non-JSON and undecodable bodies", "[compare]") {
  Rules rules;
  SECTION("a JSON body against a non-JSON body is one body difference") {
    auto c = compare_responses(test::response(200, R"({"ok":true})"),
                               test::response(200, "<html>Internal error</html>"), rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].kind == DiffKind::body);
    CHECK(c.differences[0].pointer == "");
    CHECK(c.differences[0].legacy == R"({"ok":true})");
    CHECK(c.differences[0].candidate == "<html>Internal error</html>");
  }
  SECTION("a body that fails to decode is a body difference naming the reason") {
    auto legacy = test::response(200, R"({"ok":true})");
    auto candidate = test::response(200, "this is not gzip",
                                    {{"content-type", "application/json"}, {"content-encoding", "gzip"}});
    auto c = compare_responses(legacy, candidate, rules);
    REQUIRE(c.differences.size() == 1);
    CHECK(c.differences[0].kind == DiffKind::body);
    REQUIRE(c.differences[0].candidate.contains("decode_error"));
    CHECK_THAT(c.differences[0].candidate["decode_error"].get<std::string>(), Catch::Contains("gzip"));
    CHECK(c.verdict == Verdict::mismatch);
  }
  SECTION("two identical undecodable bodies are the same response") {
    auto a = test::response(200, "garbage", {{"content-encoding", "br"}});
    CHECK(compare_responses(a, a, rules).verdict == Verdict::match);
  }
  SECTION("large bodies are excerpted around the first change, with size and hash") {
    std::string a(5000, 'a'), b = a;
    b[4000] = 'b';
    auto c = compare_responses(test::response(200, a, {}), test::response(200, b, {}), rules);
    REQUIRE(c.differences.size() == 1);
    const json& legacy = c.differences[0].legacy;
    CHECK(legacy["bytes"] == 5000);
    CHECK(legacy["fnv1a64"] == fnv1a64_hex(a));
    CHECK(legacy["offset"].get<std::size_t>() <= 4000);
    CHECK(legacy["offset"].get<std::size_t>() + legacy["excerpt"].get<std::string>().size() > 4000);
    CHECK(legacy["excerpt"].get<std::string>().size() <= kExcerptBytes);
  }
  SECTION("invalid UTF-8 in a body never breaks the JSON of the record") {
    auto c = compare_responses(test::response(200, "caf\xE9\xFF", {}), test::response(200, "cafe", {}), rules);
    REQUIRE(c.differences.size() == 1);
    CHECK_NOTHROW(to_json(c).dump());
    CHECK(c.differences[0].legacy == "caf\xEF\xBF\xBD\xEF\xBF\xBD");
  }
}

TEST_CASE("truncated bodies compare the prefix both sides hold", "[compare]") {
  Rules rules;
  std::string full = R"({"items":[)" + std::string(3000, ' ') + "1]}";
  auto complete = test::response(200, full);
  auto prefix = test::response(200, full.substr(0, 1000));
  prefix.body_truncated = true;

  CHECK(compare_responses(prefix, complete, rules).verdict == Verdict::match);
  CHECK(compare_responses(complete, prefix, rules).verdict == Verdict::match);

  auto other = prefix;
  other.body[5] = 'X';
  auto c = compare_responses(other, complete, rules);
  REQUIRE(c.differences.size() == 1);
  CHECK(c.differences[0].kind == DiffKind::body);

  // The complete side is shorter than what the truncated side already showed: certainly different.
  auto short_complete = test::response(200, full.substr(0, 500));
  CHECK(compare_responses(prefix, short_complete, rules).verdict == Verdict::mismatch);

  // A truncated gzip body decodes to a prefix and compares the same way.
  auto gz = test::response(200, test::gzip(full), {{"content-type", "application/json"}, {"content-encoding", "gzip"}});
  gz.body.resize(gz.body.size() / 2);
  gz.body_truncated = true;
  CHECK(compare_responses(gz, complete, rules).verdict == Verdict::match);
}

TEST_CASE("the number of kept differences is bounded, the verdict still sees all", "[compare]") {
  json a = json::object(), b = json::object();
  for (int i = 0; i < 500; ++i) {
    a[test::numbered("k", 1000 + i)] = i;
    b[test::numbered("k", 1000 + i)] = i + 1;
  }
  Rules rules;
  auto c = compare_responses(test::response(200, a.dump()), test::response(200, b.dump()), rules);
  CHECK(c.differences.size() == kMaxDifferences);
  CHECK(c.omitted == 300);
  CHECK(c.verdict == Verdict::mismatch);

  std::vector<std::string> every_key;
  for (int i = 0; i < 500; ++i) every_key.push_back(test::numbered("/k", 1000 + i));
  SECTION("an unexplained difference past the bound displaces an explained one") {
    rules.noise.fields = every_key;
    b["zz_real"] = "new";  // sorts after every kNNNN key, so it comes last
    c = compare_responses(test::response(200, a.dump()), test::response(200, b.dump()), rules);
    CHECK(c.verdict == Verdict::mismatch);
    REQUIRE(c.differences.size() == kMaxDifferences);
    CHECK(c.differences.back().pointer == "/zz_real");
    CHECK(c.differences.back().explained == Explained::none);
    CHECK(c.omitted == 301);
  }
  SECTION("all explained past the bound: still a match") {
    rules.noise.fields = every_key;
    c = compare_responses(test::response(200, a.dump()), test::response(200, b.dump()), rules);
    CHECK(c.verdict == Verdict::match);
  }
}

TEST_CASE("malformed input gives differences, never a crash", "[compare]") {
  Rules rules;
  rules.unordered = {"/**"};
  const std::string deep_array(100000, '[');
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 400; ++i) s += R"({"a":)";
    s += "1";
    for (int i = 0; i < 400; ++i) s += "}";
    return s;
  }();
  const std::vector<std::string> bodies = {
      "", "{", R"({"a":)", "[1,2", "\x1f\x8b\x08\x00garbage", deep_array, deep_object, "\xFF\xFE\xFD",
      R"({"a":1e999})", R"({"a":"\ud800"})", "nul\0byte", R"([{"a":[{"b":[1,2,{"c":null}]}]}])"};
  const std::vector<Headers> header_sets = {
      {{"content-type", "application/json"}},
      {{"content-type", "application/json"}, {"content-encoding", "gzip"}},
      {{"content-type", "text/event-stream"}},
      {{"content-type", "application/json; charset=utf-16"}},
      {{"content-encoding", "deflate, br"}}};
  for (const auto& headers : header_sets) {
    for (const auto& a : bodies) {
      for (const auto& b : bodies) {
        HttpResponse legacy = test::response(200, a, headers), candidate = test::response(500, b, headers);
        candidate.body_truncated = (a.size() + b.size()) % 2 == 0;
        Comparison c;
        REQUIRE_NOTHROW(c = compare_responses(legacy, candidate, rules));
        CHECK(c.verdict == Verdict::mismatch);  // the status differs
        CHECK_NOTHROW(to_json(c).dump());
      }
    }
  }
  // Nesting beyond the bound is not parsed as JSON: identical deep bodies still match byte-wise.
  CHECK(compare_responses(test::response(200, deep_object), test::response(200, deep_object), rules).verdict ==
        Verdict::match);
}

TEST_CASE("shadow failures and verdicts", "[compare]") {
  auto c = shadow_failed("candidate", "timeout after 5000 ms");
  CHECK(c.verdict == Verdict::error);
  REQUIRE(c.differences.size() == 1);
  CHECK(c.differences[0].kind == DiffKind::shadow_error);
  CHECK(c.differences[0].legacy.is_null());
  CHECK(c.differences[0].candidate == "timeout after 5000 ms");
  auto l = shadow_failed("legacy", "connection refused");
  CHECK(l.differences[0].legacy == "connection refused");
  CHECK(l.differences[0].candidate.is_null());

  const auto diff = [](Explained e) { return Difference{"/a", DiffKind::value, 1, 2, e}; };
  CHECK(verdict_of({}) == Verdict::match);
  CHECK(verdict_of({diff(Explained::noise)}) == Verdict::match);
  CHECK(verdict_of({diff(Explained::noise), diff(Explained::error_format)}) == Verdict::expected);
  CHECK(verdict_of({diff(Explained::error_format), diff(Explained::none)}) == Verdict::mismatch);
  CHECK(verdict_of({diff(Explained::none), c.differences[0]}) == Verdict::error);

  const json j = to_json(c);
  CHECK(j["verdict"] == "error");
  CHECK(j["differences"][0]["kind"] == "shadow_error");
  CHECK(j["omitted"] == 0);
}
