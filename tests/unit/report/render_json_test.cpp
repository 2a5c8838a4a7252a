#include "report/render_json.h"

#include <catch2/catch.hpp>

#include "report_test_support.h"

namespace parity::report {

using namespace testing;

namespace {

Aggregate sample() {
  Aggregate a;
  for (int i = 1; i <= 100; ++i) {
    auto r = make_record({.verdict = i <= 90 ? Verdict::match : Verdict::mismatch,
                          .legacy_ms = static_cast<double>(i),
                          .candidate_ms = 2.0 * i});
    if (i > 90) r.differences.push_back(diff("/name", DiffKind::value, Explained::none, "a", "b"));
    r.differences.push_back(diff("/created", DiffKind::value, Explained::noise, i, i + 1));
    a.add(r);
  }
  a.add(make_record({.route = "/v1/files/{file_id}", .verdict = Verdict::error, .candidate_status = 0}));
  return a;
}

}  // namespace

TEST_CASE("the JSON report has the contract's shape", "[render_json]") {
  const auto j = render_json(sample(), RenderOptions{.source = "parity-data/records.jsonl", .malformed = 2});
  REQUIRE(j.contains("summary"));
  REQUIRE(j["routes"].is_array());
  REQUIRE(j["routes"].size() == 2);

  const auto& s = j["summary"];
  CHECK(s["exchanges"] == 101);
  CHECK(s["match"] == 90);
  CHECK(s["mismatch"] == 10);
  CHECK(s["error"] == 1);
  CHECK(s["expected"] == 0);
  CHECK(s["routes"] == 2);
  CHECK(s["source"] == "parity-data/records.jsonl");
  CHECK(s["malformed_lines"] == 2);
  CHECK(s["served_by"]["legacy"] == 101);
  CHECK(s["match_rate"].get<double>() == Approx(90.0 / 101).epsilon(1e-5));

  const auto& items = j["routes"][1];
  CHECK(items["route"] == "/v1/items");
  CHECK(items["method"] == "GET");
  for (const char* key : {"exchanges", "match", "expected", "mismatch", "error"}) {
    INFO(key);
    CHECK(items[key].is_number_unsigned());
  }
  CHECK(items["exchanges"] == 100);
  CHECK(items["latency"]["legacy"]["p50"].get<double>() == Approx(50.0).epsilon(0.001));
  CHECK(items["latency"]["legacy"]["p95"].get<double>() == Approx(95.0).epsilon(0.001));
  CHECK(items["latency"]["legacy"]["p99"].get<double>() == Approx(99.0).epsilon(0.001));
  CHECK(items["latency"]["candidate"]["p99"].get<double>() == Approx(198.0).epsilon(0.001));
  CHECK(items["latency"]["candidate"]["count"] == 100);

  const auto& fields = items["fields"];
  REQUIRE(fields.size() == 2);
  CHECK(fields[0]["pointer"] == "/created");
  CHECK(fields[0]["kind"] == "value");
  CHECK(fields[0]["count"] == 100);
  CHECK(fields[0]["noise"] == true);
  CHECK(fields[1]["pointer"] == "/name");
  CHECK(fields[1]["count"] == 10);
  CHECK(fields[1]["noise"] == false);
  CHECK(fields[1]["examples"][0]["legacy"] == "a");
  CHECK(fields[1]["examples"][0]["candidate"] == "b");
  CHECK(fields[1]["examples"][0]["pointer"] == "/name");

  const auto& files = j["routes"][0];
  CHECK(files["route"] == "/v1/files/{file_id}");
  CHECK(files["latency"]["candidate"]["p50"].is_null());  // the candidate never answered
  CHECK(files["latency"]["legacy"]["p50"] == 10.0);
}

TEST_CASE("histograms can be embedded and read back", "[render_json]") {
  const auto a = sample();
  CHECK_FALSE(render_json(a)["routes"][1]["latency"]["legacy"].contains("histogram"));
  const auto j = render_json(a, RenderOptions{.histograms = true});
  auto h = LatencyHistogram::from_json(j["routes"][1]["latency"]["legacy"]["histogram"]);
  REQUIRE(h);
  CHECK(*h == a.routes()[1].legacy_latency);
}

TEST_CASE("an empty aggregate renders with null latencies", "[render_json]") {
  const auto j = render_json(Aggregate());
  CHECK(j["summary"]["exchanges"] == 0);
  CHECK(j["summary"]["first_ts"].is_null());
  CHECK(j["summary"]["latency"]["legacy"]["p99"].is_null());
  CHECK(j["routes"].empty());
}

}  // namespace parity::report
