#include "report/escape.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace parity::report {

TEST_CASE("html_escape escapes markup and quotes", "[escape]") {
  CHECK(html_escape("<script>alert('x') & \"y\"</script>") ==
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  CHECK(html_escape("/v1/items/{id}") == "/v1/items/{id}");
}

TEST_CASE("json_for_script cannot close the script element", "[escape]") {
  const std::string json = nlohmann::json{{"route", "</script><script>alert(1)</script><!--"}}.dump();
  const auto safe = json_for_script(json);
  CHECK(safe.find("</") == std::string::npos);
  CHECK(safe.find("<!--") == std::string::npos);
  CHECK(nlohmann::json::parse(safe) == nlohmann::json::parse(json));  // still the same JSON
  const auto separators = json_for_script(nlohmann::json("a\u2028b\u2029c").dump());
  CHECK(separators == "\"a\\u2028b\\u2029c\"");
  CHECK(nlohmann::json::parse(separators) == "a\u2028b\u2029c");
}

TEST_CASE("md_code keeps a value inside one table cell", "[escape]") {
  CHECK(md_code("/a/b") == "`/a/b`");
  CHECK(md_code("a|b") == "`a\\|b`");
  CHECK(md_code("x`y") == "``x`y``");
  CHECK(md_code("`x") == "`` `x ``");
  CHECK(md_code("line\nbreak") == "`line break`");
  CHECK(md_code("") == "` `");
}

TEST_CASE("md_text escapes Markdown punctuation", "[escape]") {
  CHECK(md_text("a|b*c_d") == "a\\|b\\*c\\_d");
  CHECK(md_text("<b>x</b>") == "\\<b\\>x\\</b\\>");
  CHECK(md_text("plain text 1.5") == "plain text 1.5");
}

}  // namespace parity::report
