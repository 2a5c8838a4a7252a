#include <catch2/catch.hpp>

#include "compare/excerpt.h"
#include "compare/json_diff.h"
#include "compare/json_parse.h"

using namespace parity::compare;
using nlohmann::json;

namespace {

struct Expected {
  std::string pointer;
  DiffKind kind;
};

JsonDiffOptions options_with(std::vector<std::string> ignore = {}, std::vector<std::string> unordered = {},
                             double tolerance = 1e-9, std::vector<std::string> volatile_fields = {}) {
  JsonDiffOptions o;
  o.number_tolerance = tolerance;
  o.ignore = parse_globs(ignore);
  o.unordered = parse_globs(unordered);
  o.volatile_fields = parse_globs(volatile_fields);
  return o;
}

std::vector<Expected> summarise(const std::vector<Difference>& diffs) {
  std::vector<Expected> out;
  for (const auto& d : diffs) out.push_back({d.pointer, d.kind});
  return out;
}

bool operator==(const Expected& a, const Expected& b) { return a.pointer == b.pointer && a.kind == b.kind; }

std::ostream& operator<<(std::ostream& os, const Expected& e) {
  return os << "{" << e.pointer << ", " << to_string(e.kind) << "}";
}

}  // namespace

TEST_CASE("structural JSON diff", "[json_diff]") {
  struct Case {
    const char* name;
    const char* legacy;
    const char* candidate;
    JsonDiffOptions options;
    std::vector<Expected> expected;
  };
  const Case cases[] = {
      {"key order never matters", R"({"a":1,"b":{"x":[1,2],"y":null}})", R"({"b":{"y":null,"x":[1,2]},"a":1})",
       {}, {}},
      {"1 and 1.0 are equal", R"({"n":1,"m":-0.0,"u":18446744073709551615})", R"({"n":1.0,"m":0,"u":18446744073709551615})", {}, {}},
      {"a different number is a value difference", R"({"n":1})", R"({"n":2})", {}, {{"/n", DiffKind::value}}},
      {"integers compare exactly, beyond double precision", R"({"id":9007199254740993})",
       R"({"id":9007199254740992})", options_with({}, {}, 0.5), {{"/id", DiffKind::value}}},
      {"tolerance does not apply to two integers", R"([100])", R"([101])", options_with({}, {}, 0.1),
       {{"/0", DiffKind::value}}},
      {"0.1 + 0.2 is 0.3 within the default tolerance", R"([0.30000000000000004])", R"([0.3])", {}, {}},
      {"relative tolerance above magnitude 1", R"([1000.0])", R"([1000.5])", options_with({}, {}, 1e-3), {}},
      {"relative tolerance exceeded", R"([1000.0])", R"([1002.0])", options_with({}, {}, 1e-3),
       {{"/0", DiffKind::value}}},
      {"absolute tolerance below magnitude 1", R"([0.0001])", R"([0.0009])", options_with({}, {}, 1e-3), {}},
      {"absolute tolerance exceeded", R"([0.0001])", R"([0.0021])", options_with({}, {}, 1e-3),
       {{"/0", DiffKind::value}}},
      {"strings compare exactly", R"({"s":"Paris"})", R"({"s":"paris"})", {}, {{"/s", DiffKind::value}}},
      {"number vs string is a type difference", R"({"n":1})", R"({"n":"1"})", {}, {{"/n", DiffKind::type}}},
      {"null vs object is a type difference", R"({"o":null})", R"({"o":{}})", {}, {{"/o", DiffKind::type}}},
      {"booleans", R"([true,false])", R"([true,true])", {}, {{"/1", DiffKind::value}}},
      {"missing and extra keys", R"({"a":1,"c":{"d":2}})", R"({"b":1,"c":{}})", {},
       {{"/a", DiffKind::missing}, {"/c/d", DiffKind::missing}, {"/b", DiffKind::extra}}},
      {"array length plus the common prefix", R"({"a":[1,2,3]})", R"({"a":[1,9]})", {},
       {{"/a", DiffKind::array_length}, {"/a/1", DiffKind::value}}},
      {"pointer escaping of / and ~", R"({"a/b":{"m~n":1}})", R"({"a/b":{"m~n":2}})", {},
       {{"/a~1b/m~0n", DiffKind::value}}},
      {"top-level scalars", R"("x")", R"("y")", {}, {{"", DiffKind::value}}},
      {"ignore drops differences at and under a glob", R"({"id":1,"meta":{"a":1},"x":{"request_id":2}})",
       R"({"id":2,"meta":{"a":2,"b":3},"x":{"request_id":3}})", options_with({"/id", "/meta", "/**/request_id"}),
       {}},
      {"ignore drops missing and extra keys too", R"({"a":1,"keep":1})", R"({"b":1,"keep":2})",
       options_with({"/a", "/b"}), {{"/keep", DiffKind::value}}},
      {"ignore with * on array elements", R"({"data":[{"id":"a","n":1},{"id":"b","n":2}]})",
       R"({"data":[{"id":"x","n":1},{"id":"y","n":3}]})", options_with({"/data/*/id"}),
       {{"/data/1/n", DiffKind::value}}},
      {"unordered: a permutation is equal", R"({"data":[1,2,3,2]})", R"({"data":[2,3,2,1]})",
       options_with({}, {"/data"}), {}},
      {"unordered: elements match ignoring ignored fields", R"({"data":[{"id":"a","n":1},{"id":"b","n":2}]})",
       R"({"data":[{"id":"x","n":2},{"id":"y","n":1}]})", options_with({"/data/*/id"}, {"/data"}), {}},
      {"unordered: 1 and 1.0 match canonically", R"({"data":[{"v":1},{"v":2.5}]})",
       R"({"data":[{"v":2.5},{"v":1.0}]})", options_with({}, {"/data"}), {}},
      {"unordered: the rest is paired by fewest differences",
       R"({"data":[{"n":1,"v":"a","w":true},{"n":2,"v":"b","w":true}]})",
       R"({"data":[{"n":2,"v":"b","w":true},{"n":1,"v":"c","w":true}]})", options_with({}, {"/data"}),
       {{"/data/0/v", DiffKind::value}}},
      {"unordered: a removed element is missing", R"({"data":[1,2,3]})", R"({"data":[3,1]})",
       options_with({}, {"/data"}), {{"/data", DiffKind::array_length}, {"/data/1", DiffKind::missing}}},
      {"unordered: an added element is extra at the candidate index", R"({"data":[1,2]})", R"({"data":[2,1,5]})",
       options_with({}, {"/data"}), {{"/data", DiffKind::array_length}, {"/data/2", DiffKind::extra}}},
      {"unordered applies to the named array only, not to arrays inside it", R"({"data":[[1,2]]})",
       R"({"data":[[2,1]]})", options_with({}, {"/data"}),
       {{"/data/0/0", DiffKind::value}, {"/data/0/1", DiffKind::value}}},
      {"unordered with a ** glob reaches nested arrays", R"({"data":[[1,2],[3]]})", R"({"data":[[3],[2,1]]})",
       options_with({}, {"/**"}), {}},
      {"unordered: volatile fields are left out of pairing and still diffed",
       R"({"data":[{"k":1,"ts":5},{"k":2,"ts":6}]})", R"({"data":[{"k":2,"ts":7},{"k":1,"ts":8}]})",
       options_with({}, {"/data"}, 1e-9, {"/data/*/ts"}), {{"/data/0/ts", DiffKind::value}, {"/data/1/ts", DiffKind::value}}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto diffs = diff_json(json::parse(c.legacy), json::parse(c.candidate), c.options);
      CHECK(summarise(diffs) == c.expected);
    }
  }
}

TEST_CASE("difference values carry both sides, bounded", "[json_diff]") {
  auto diffs = diff_json(json::parse(R"({"a":{"x":1},"n":"1"})"), json::parse(R"({"n":1,"b":[1]})"));
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0].pointer == "/a");
  CHECK(diffs[0].legacy == json::parse(R"({"x":1})"));
  CHECK(diffs[0].candidate.is_null());
  CHECK(diffs[1].pointer == "/n");
  CHECK(diffs[1].legacy == "1");
  CHECK(diffs[1].candidate == 1);
  CHECK(diffs[2].pointer == "/b");
  CHECK(diffs[2].legacy.is_null());
  CHECK(diffs[2].candidate == json::parse("[1]"));

  // Long strings: excerpts start just before the first change.
  std::string long_a(2000, 'x'), long_b = long_a;
  long_b[1500] = 'y';
  diffs = diff_json(json{{"content", long_a}}, json{{"content", long_b}});
  REQUIRE(diffs.size() == 1);
  const json& legacy = diffs[0].legacy;
  REQUIRE(legacy.is_object());
  CHECK(legacy["bytes"] == 2000);
  CHECK(legacy["offset"].get<std::size_t>() <= 1500);
  CHECK(legacy["offset"].get<std::size_t>() + legacy["excerpt"].get<std::string>().size() > 1500);
  CHECK(diffs[0].candidate["fnv1a64"] == fnv1a64_hex(long_b));

  // A large missing subtree is summarised.
  json big = json::array();
  for (int i = 0; i < 500; ++i) big.push_back(i);
  diffs = diff_json(json{{"big", big}}, json::object());
  REQUIRE(diffs.size() == 1);
  CHECK(diffs[0].legacy["bytes"].get<std::size_t>() > kMaxValueBytes);
  CHECK(diffs[0].legacy["excerpt"].get<std::string>().starts_with("[0,1,2"));
}

TEST_CASE("nesting deeper than the bound is reported, not recursed into", "[json_diff]") {
  json a = 1, b = 2;
  for (std::size_t i = 0; i < kMaxJsonDepth + 10; ++i) {
    a = json::array({a});
    b = json::array({b});
  }
  auto diffs = diff_json(a, b);
  REQUIRE(diffs.size() == 1);
  CHECK(diffs[0].kind == DiffKind::body);
  CHECK(diffs[0].pointer.size() == 2 * (kMaxJsonDepth + 1));  // "/0" per level down to the cut
}

TEST_CASE("parse_json refuses non-JSON and absurd nesting without throwing", "[json_diff]") {
  CHECK(parse_json(R"({"a":[1,2]})") == json::parse(R"({"a":[1,2]})"));
  CHECK(parse_json("\xEF\xBB\xBF[1]") == json::array({1}));
  CHECK(parse_json("  42 ") == json(42));
  CHECK_FALSE(parse_json(""));
  CHECK_FALSE(parse_json("{"));
  CHECK_FALSE(parse_json("[1] [2]"));
  CHECK_FALSE(parse_json("\"\xFF\""));
  CHECK_FALSE(parse_json("1e999"));
  CHECK(parse_json(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  CHECK_FALSE(parse_json(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']')));
  CHECK(parse_json(R"(["[[[[[[[["])"));  // brackets inside strings do not count
}

TEST_CASE("numbers_equal", "[json_diff]") {
  CHECK(numbers_equal(json(5u), json(5), 0));
  CHECK_FALSE(numbers_equal(json(-1), json(18446744073709551615u), 1));
  CHECK(numbers_equal(json(1), json(1.0), 0));
  CHECK(numbers_equal(json(1e20), json(1.0000000001e20), 1e-9));
  CHECK_FALSE(numbers_equal(json(1e20), json(1.01e20), 1e-9));
  CHECK_FALSE(numbers_equal(json("1"), json(1), 1));
}

TEST_CASE("pairing unordered leftovers is bounded on large arrays", "[json_diff]") {
  json a = json::array(), b = json::array();
  for (int i = 0; i < 300; ++i) {
    a.push_back({{"k", i}, {"v", "old"}});
    b.insert(b.begin(), json{{"k", i}, {"v", "new"}});  // reversed, and every element changed
  }
  JsonDiffOptions options;
  options.unordered = parse_globs({"/data"});
  auto diffs = diff_json(json{{"data", a}}, json{{"data", b}}, options);
  // Every legacy element is paired (no missing/extra); the first ones by similarity, so they differ
  // only in /v; once the budget is spent the rest are paired in order and differ in /k too.
  REQUIRE(diffs.size() >= 300);
  CHECK(diffs.size() < 600);
  CHECK(diffs[0].pointer == "/data/0/v");
  CHECK(diffs[1].pointer == "/data/1/v");
  for (const auto& d : diffs) CHECK(d.kind == DiffKind::value);
}
