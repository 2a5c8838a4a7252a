#include <catch2/catch.hpp>

#include "loadgen/render.h"
#include "results_support.h"

using namespace parity::loadgen;

TEST_CASE("render: the terminal table puts targets side by side with the candidate/legacy ratio", "[loadgen]") {
  const auto text = render_table(test::make_results());
  CHECK(text.find("concurrency 10 (closed-loop)") != std::string::npos);
  CHECK(text.find("candidate/legacy") != std::string::npos);
  CHECK(text.find("p99.9 ms") != std::string::npos);
  // p50: candidate 5 ms vs legacy 10 ms.
  const auto p50 = text.find("p50 ms");
  REQUIRE(p50 != std::string::npos);
  const auto line = text.substr(p50, text.find('\n', p50) - p50);
  CHECK(line.find("0.50x") != std::string::npos);
  CHECK(text.find("reset 3") != std::string::npos);
  CHECK(text.find("per endpoint") != std::string::npos);
  CHECK(text.find("CPU s") == std::string::npos);  // no --pid: no process rows
}

TEST_CASE("render: process rows appear with --pid figures", "[loadgen]") {
  auto results = test::make_results();
  results.levels[0].targets[0].process = ProcessUsage{42, 1.5, 64u << 20, ""};
  const auto text = render_table(results);
  CHECK(text.find("CPU s") != std::string::npos);
  CHECK(text.find("peak RSS MiB") != std::string::npos);
  CHECK(text.find("64.0") != std::string::npos);
}

TEST_CASE("render: JSON carries figures, ratios, errors by kind and the histogram", "[loadgen]") {
  const auto j = render_json(test::make_results());
  const auto& level = j["levels"][0];
  CHECK(level["concurrency"] == 10);
  CHECK(level["targets"]["legacy"]["overall"]["latency_ms"]["p50"].get<double>() == Approx(10.0).epsilon(0.001));
  CHECK(level["targets"]["candidate"]["overall"]["errors_by_kind"]["reset"] == 3);
  CHECK(level["candidate_legacy_ratio"]["p50"].get<double>() == Approx(0.5).epsilon(0.001));
  CHECK(level["targets"]["legacy"]["endpoints"].contains("models"));
  auto hist = parity::LatencyHistogram::from_json(level["targets"]["legacy"]["histogram"]);
  REQUIRE(hist);
  CHECK(hist->count() == 1000);
}

TEST_CASE("render: Markdown tables and escaped endpoint names", "[loadgen]") {
  const auto md = render_markdown(test::make_results());
  CHECK(md.find("| figure | legacy | candidate | candidate/legacy |") != std::string::npos);
  CHECK(md.find("|---|---:|") != std::string::npos);
  CHECK(md.find("chat <b>") == std::string::npos);
}

TEST_CASE("render: HTML is one self-contained page with an inline SVG chart", "[loadgen]") {
  auto results = test::make_results();
  results.warnings.push_back("candidate <script>");
  const auto html = render_html(results);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<polyline") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("chat &lt;b&gt;") != std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
}

TEST_CASE("render: an unreachable target shows as not measured, its ratios as dashes", "[loadgen]") {
  auto results = test::make_results();
  auto& candidate = results.levels[0].targets[1];
  candidate = TargetRun{};
  candidate.target = "candidate";
  candidate.error = "cannot connect to 127.0.0.1:1: Connection refused";
  const auto text = render_table(results);
  CHECK(text.find("not measured") != std::string::npos);
  CHECK(text.find("Connection refused") != std::string::npos);
  const auto j = render_json(results);
  CHECK(j["levels"][0]["targets"]["candidate"]["measured"] == false);
  CHECK(j["levels"][0]["candidate_legacy_ratio"]["p50"].is_null());
}
