#include "report/render_prometheus.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "report_test_support.h"

namespace parity::report {

using namespace testing;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("exchanges, fields and latency are exported with parity_ names", "[render_prometheus]") {
  Aggregate a;
  for (int i = 1; i <= 10; ++i) {
    auto r = make_record({.verdict = i <= 8 ? Verdict::match : Verdict::mismatch,
                          .legacy_ms = i / 10.0,  // below 2 ms the histogram is exact to the µs
                          .candidate_ms = 1});
    if (i > 8) r.differences.push_back(diff("/name"));
    a.add(r);
  }
  const auto text = render_prometheus(a);
  INFO(text);
  CHECK(has_line(text, "# TYPE parity_exchanges_total counter"));
  CHECK(has_line(text, "parity_exchanges_total{route=\"/v1/items\",method=\"GET\",verdict=\"match\"} 8"));
  CHECK(has_line(text, "parity_exchanges_total{route=\"/v1/items\",method=\"GET\",verdict=\"mismatch\"} 2"));
  CHECK(has_line(text, "parity_exchanges_total{route=\"/v1/items\",method=\"GET\",verdict=\"error\"} 0"));
  CHECK(has_line(text,
                 "parity_field_differences_total{route=\"/v1/items\",method=\"GET\",pointer=\"/name\",kind=\"value\"} 2"));
  CHECK(has_line(text, "# TYPE parity_shadow_latency_ms summary"));
  CHECK(has_line(text,
                 "parity_shadow_latency_ms{route=\"/v1/items\",method=\"GET\",side=\"legacy\",quantile=\"0.5\"} 0.5"));
  CHECK(has_line(text,
                 "parity_shadow_latency_ms{route=\"/v1/items\",method=\"GET\",side=\"candidate\",quantile=\"0.99\"} 1"));
  CHECK(has_line(text, "parity_shadow_latency_ms_sum{route=\"/v1/items\",method=\"GET\",side=\"legacy\"} 5.5"));
  CHECK(has_line(text, "parity_shadow_latency_ms_count{route=\"/v1/items\",method=\"GET\",side=\"legacy\"} 10"));
  // The same latencies as cumulative buckets (legacy: 0.1 … 1.0 ms; candidate: 1 ms each time).
  CHECK(has_line(text, "# TYPE parity_side_latency_ms histogram"));
  CHECK(has_line(text,
                 "parity_side_latency_ms_bucket{route=\"/v1/items\",method=\"GET\",side=\"legacy\",le=\"0.5\"} 5"));
  CHECK(has_line(text,
                 "parity_side_latency_ms_bucket{route=\"/v1/items\",method=\"GET\",side=\"legacy\",le=\"1\"} 10"));
  CHECK(has_line(text,
                 "parity_side_latency_ms_bucket{route=\"/v1/items\",method=\"GET\",side=\"candidate\",le=\"0.5\"} 0"));
  CHECK(has_line(text,
                 "parity_side_latency_ms_bucket{route=\"/v1/items\",method=\"GET\",side=\"candidate\",le=\"+Inf\"} 10"));
  CHECK(has_line(text, "parity_side_latency_ms_sum{route=\"/v1/items\",method=\"GET\",side=\"legacy\"} 5.5"));
  CHECK(has_line(text, "parity_side_latency_ms_count{route=\"/v1/items\",method=\"GET\",side=\"candidate\"} 10"));
}

TEST_CASE("field labels are capped per route, the rest is counted", "[render_prometheus]") {
  Aggregate a;
  auto r = make_record({.verdict = Verdict::mismatch});
  // 30 distinct fields (not /data/<i>: array elements are one field, /data/*).
  for (int i = 0; i < 30; ++i) r.differences.push_back(diff("/f" + std::to_string(i)));
  a.add(r);
  const auto text = render_prometheus(a, 5);
  std::size_t series = 0;
  for (auto pos = text.find("\nparity_field_differences_total{"); pos != std::string::npos;
       pos = text.find("\nparity_field_differences_total{", pos + 1)) {
    ++series;
  }
  CHECK(series == 5);
  CHECK(has_line(text, "parity_field_differences_untracked_total{route=\"/v1/items\",method=\"GET\"} 25"));
}

TEST_CASE("label values are escaped", "[render_prometheus]") {
  CHECK(prometheus_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  Aggregate a;
  a.add(make_record({.route = "/q\"x"}));
  CHECK(render_prometheus(a).find("route=\"/q\\\"x\"") != std::string::npos);
}

}  // namespace parity::report
