#include "report/render_html.h"

#include <catch2/catch.hpp>

#include "report/escape.h"
#include "report_test_support.h"

namespace parity::report {

using namespace testing;

namespace {

std::string embedded_json(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"parity-data\">";
  const auto start = html.find(open);
  REQUIRE(start != std::string::npos);
  const auto end = html.find("</script>", start);
  REQUIRE(end != std::string::npos);
  return html.substr(start + open.size(), end - start - open.size());
}

}  // namespace

TEST_CASE("the HTML report is one self-contained page with charts and tables", "[render_html]") {
  Aggregate a;
  for (int i = 1; i <= 50; ++i) {
    auto r = make_record({.verdict = i % 10 ? Verdict::match : Verdict::mismatch,
                          .legacy_ms = static_cast<double>(i),
                          .candidate_ms = static_cast<double>(i) / 2});
    if (i % 10 == 0) r.differences.push_back(diff("/total", DiffKind::type, Explained::none, 1, "1"));
    a.add(r);
  }
  const auto html = render_html(a, RenderOptions{.source = "parity-data/records.jsonl", .generated_at = "2026-11-25T19:00:00Z"});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  // No network: nothing is loaded from elsewhere.
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  // Charts and tables.
  CHECK(html.find("aria-label=\"Verdicts by route\"") != std::string::npos);
  CHECK(html.find("aria-label=\"Top differing fields\"") != std::string::npos);
  CHECK(html.find("aria-label=\"Latency by percentile\"") != std::string::npos);
  CHECK(html.find("<polyline") != std::string::npos);
  CHECK(html.find("<code>GET /v1/items</code>") != std::string::npos);
  CHECK(html.find("<code>/total</code>") != std::string::npos);
  CHECK(html.find("90.0%") != std::string::npos);  // parity
  CHECK(html.find("generated 2026-11-25T19:00:00Z") != std::string::npos);
  // The embedded JSON is the JSON report.
  const auto data = nlohmann::json::parse(embedded_json(html));
  CHECK(data["summary"]["exchanges"] == 50);
  CHECK(data["routes"][0]["fields"][0]["pointer"] == "/total");
}

TEST_CASE("user-derived strings are escaped in HTML and in the embedded JSON", "[render_html]") {
  Aggregate a;
  auto r = make_record({.route = "/x<script>alert(1)</script>", .method = "GET\"onmouseover=\"x", .verdict = Verdict::mismatch});
  r.differences.push_back(diff("/<img src=x onerror=alert(2)>", DiffKind::value, Explained::none,
                               "</script><script>alert(3)</script>", "<b>&amp;</b>"));
  a.add(r);
  const auto html = render_html(a);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  // In the markup (the embedded JSON holds the quote escaped as \" inside a string, which is harmless).
  const auto markup = html.substr(0, html.find("id=\"parity-data\""));
  CHECK(markup.find("\"onmouseover") == std::string::npos);
  CHECK(markup.find("GET&quot;onmouseover=&quot;x") != std::string::npos);
  CHECK(html.find("/x&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&lt;b&gt;&amp;amp;&lt;/b&gt;") != std::string::npos);
  // Exactly the page's own three script elements, each closed once.
  std::size_t closes = 0;
  for (auto pos = html.find("</script>"); pos != std::string::npos; pos = html.find("</script>", pos + 1)) ++closes;
  CHECK(closes == 3);
  const auto data = nlohmann::json::parse(embedded_json(html));
  CHECK(data["routes"][0]["route"] == "/x<script>alert(1)</script>");
  CHECK(data["routes"][0]["fields"][0]["examples"][0]["legacy"] == "</script><script>alert(3)</script>");
}

TEST_CASE("an empty aggregate renders a page without charts", "[render_html]") {
  const auto html = render_html(Aggregate());
  CHECK(html.find("No exchanges recorded yet.") != std::string::npos);
  CHECK(html.find("<svg") == std::string::npos);
  CHECK(html.find("id=\"parity-data\"") != std::string::npos);
}

}  // namespace parity::report
