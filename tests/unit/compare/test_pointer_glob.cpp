#include <catch2/catch.hpp>

#include "compare/json_pointer.h"
#include "compare/pointer_glob.h"

using namespace parity::compare;

TEST_CASE("JSON Pointer tokens are escaped and split as RFC 6901 says", "[pointer]") {
  CHECK(escape_token("a/b~c") == "a~1b~0c");
  std::string pointer;
  append_token(pointer, "a/b");
  append_token(pointer, "~");
  append_token(pointer, "0");
  CHECK(pointer == "/a~1b/~0/0");
  CHECK(split_pointer(pointer) == std::vector<std::string>{"a/b", "~", "0"});
  CHECK(split_pointer("") == std::vector<std::string>{});
  CHECK(split_pointer("/") == std::vector<std::string>{""});
  CHECK(split_pointer("//x") == std::vector<std::string>{"", "x"});
  CHECK(split_pointer("~01") == std::nullopt);
  CHECK(split_pointer("/~01") == std::vector<std::string>{"~1"});  // ~0 first, then a literal 1
  CHECK_FALSE(split_pointer("a/b"));
  CHECK_FALSE(split_pointer("/a~2"));
  CHECK_FALSE(split_pointer("/a~"));
}

TEST_CASE("pointer globs: matches is exact, covers includes everything below", "[pointer]") {
  struct Case {
    const char* glob;
    const char* pointer;
    bool matches;
    bool covers;
  };
  const Case cases[] = {
      {"/a/b", "/a/b", true, true},
      {"/a/b", "/a/b/c", false, true},
      {"/a/b", "/a", false, false},
      {"/a/b", "/a/bc", false, false},
      {"/data/*/id", "/data/3/id", true, true},
      {"/data/*/id", "/data/key/id", true, true},
      {"/data/*/id", "/data/3/x/id", false, false},
      {"/data/*/id", "/data/id", false, false},
      {"/*", "", false, false},
      {"/*", "/anything", true, true},
      {"/*", "/a/b", false, true},
      {"/**/id", "/id", true, true},
      {"/**/id", "/a/b/c/id", true, true},
      {"/**/id", "/a/id/x", false, true},
      {"/**/id", "/ida", false, false},
      {"/**", "", true, true},
      {"/**", "/x/y", true, true},
      {"/a/**", "/a", true, true},
      {"/a/**", "/a/b/c", true, true},
      {"/a/**", "/b", false, false},
      {"/a/**/b/**/c", "/a/x/b/y/z/c", true, true},
      {"/a/**/b/**/c", "/a/b/c", true, true},
      {"/a/**/b/**/c", "/a/c/b", false, false},
      {"/events/*/id", "/events/12/id", true, true},
      {"/a~1b/m~0n", "/a~1b/m~0n", true, true},
      {"/a~1b", "/a/b", false, false},
      {"status", "status", true, true},
      {"status", "/status", false, false},
      {"/status", "status", false, false},
      {"header:Date", "header:date", true, true},
      {"header:date", "header:content-type", false, false},
      {"/**", "status", false, false},
      {"/**", "header:date", false, false},
  };
  for (const auto& c : cases) {
    INFO(c.glob << " vs " << c.pointer);
    std::string error;
    auto glob = PointerGlob::parse(c.glob, error);
    REQUIRE(glob);
    CHECK(glob->text() == c.glob);
    CHECK(glob->matches(std::string_view(c.pointer)) == c.matches);
    CHECK(glob->covers(std::string_view(c.pointer)) == c.covers);
    if (auto tokens = split_pointer(c.pointer)) {
      CHECK(glob->matches(*tokens) == c.matches);
      CHECK(glob->covers(*tokens) == c.covers);
    }
  }
}

TEST_CASE("invalid pointer globs are rejected with a reason", "[pointer]") {
  for (const char* text : {"", "data/*", "/a~2", "/a~", "header:", "*"}) {
    INFO(text);
    std::string error;
    CHECK_FALSE(PointerGlob::parse(text, error));
    CHECK_FALSE(error.empty());
  }
  std::string error;
  PointerGlob::parse("id", error);
  CHECK_THAT(error, Catch::Contains("start with /"));
  PointerGlob::parse("/x~3", error);
  CHECK_THAT(error, Catch::Contains("~"));
}

TEST_CASE("glob lists skip invalid entries and answer any_*", "[pointer]") {
  auto globs = parse_globs({"/id", "bad", "/**/request_id"});
  REQUIRE(globs.size() == 2);
  CHECK(any_covers(globs, "/id/x"));
  CHECK(any_covers(globs, "/meta/request_id"));
  CHECK_FALSE(any_covers(globs, "/meta"));
  CHECK(any_matches(globs, std::vector<std::string>{"id"}));
  CHECK_FALSE(any_matches(globs, std::vector<std::string>{"id", "x"}));
  CHECK(any_covers(globs, std::vector<std::string>{"id", "x"}));
}

TEST_CASE("fields are pointers with array indices generalised", "[pointer]") {
  CHECK(field_of("/data/3/id") == "/data/*/id");
  CHECK(field_of("/events/12/choices/0/delta/content") == "/events/*/choices/*/delta/content");
  CHECK(field_of("/a~1b/0") == "/a~1b/*");
  CHECK(field_of("/v1x") == "/v1x");
  CHECK(field_of("/a/0x/00") == "/a/0x/*");
  // The field is a glob that matches every pointer it stands for.
  std::string error;
  const auto glob = PointerGlob::parse(field_of("/data/3/id"), error);
  REQUIRE(glob);
  CHECK(glob->matches("/data/7/id"));
  CHECK(field_of("") == "");
  CHECK(field_of("status") == "status");
  CHECK(field_of("header:date") == "header:date");
}
