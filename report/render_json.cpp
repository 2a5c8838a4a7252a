#include "report/render_json.h"

#include <cmath>

#include "report/format.h"

namespace parity::report {
namespace {

double rounded(double share) { return std::round(share * 1e6) / 1e6; }

nlohmann::json counts_json(const VerdictCounts& c) {
  return {{"exchanges", c.exchanges},
          {"match", c.match},
          {"expected", c.expected},
          {"mismatch", c.mismatch},
          {"error", c.error},
          {"match_rate", rounded(c.match_rate())},
          {"parity_rate", rounded(c.parity_rate())},
          {"mismatch_rate", rounded(c.mismatch_rate())},
          {"error_rate", rounded(c.error_rate())}};
}

nlohmann::json field_json(const FieldStats& f) {
  nlohmann::json examples = nlohmann::json::array();
  for (const auto& e : f.examples) {
    examples.push_back(
        {{"pointer", e.pointer}, {"legacy", e.legacy}, {"candidate", e.candidate}, {"request_id", e.request_id}});
  }
  return {{"pointer", f.pointer},
          {"kind", compare::to_string(f.kind)},
          {"count", f.count},
          {"noise", f.noise()},
          {"expected", f.expected()},
          {"noise_count", f.noise_count},
          {"expected_count", f.expected_count},
          {"examples", std::move(examples)}};
}

}  // namespace

nlohmann::json latency_json(const LatencyHistogram& h, bool histogram) {
  auto at = [&h](double p) -> nlohmann::json { return h.empty() ? nlohmann::json() : nlohmann::json(us_to_ms(h.percentile(p))); };
  nlohmann::json j = {{"p50", at(50)},
                      {"p95", at(95)},
                      {"p99", at(99)},
                      {"p999", at(99.9)},
                      {"max", at(100)},
                      {"mean", h.empty() ? nlohmann::json() : nlohmann::json(std::round(h.mean()) / 1000.0)},
                      {"count", h.count()}};
  if (histogram) j["histogram"] = h.to_json();
  return j;
}

nlohmann::json render_json(const Aggregate& aggregate, const RenderOptions& options) {
  const auto& s = aggregate.summary();
  nlohmann::json summary = counts_json(s.counts);
  summary["routes"] = s.routes;
  summary["first_ts"] = s.first_ts.empty() ? nlohmann::json() : nlohmann::json(s.first_ts);
  summary["last_ts"] = s.last_ts.empty() ? nlohmann::json() : nlohmann::json(s.last_ts);
  summary["served_by"] = s.served_by;
  summary["latency"] = {{"legacy", latency_json(s.legacy_latency, options.histograms)},
                        {"candidate", latency_json(s.candidate_latency, options.histograms)}};
  if (!options.source.empty()) summary["source"] = options.source;
  summary["malformed_lines"] = options.malformed;
  if (!options.generated_at.empty()) summary["generated_at"] = options.generated_at;

  nlohmann::json routes = nlohmann::json::array();
  for (const auto& r : aggregate.routes()) {
    nlohmann::json route = {{"route", r.route}, {"method", r.method}};
    route.update(counts_json(r.counts));
    route["latency"] = {{"legacy", latency_json(r.legacy_latency, options.histograms)},
                        {"candidate", latency_json(r.candidate_latency, options.histograms)}};
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : r.fields) fields.push_back(field_json(f));
    route["fields"] = std::move(fields);
    route["fields_overflow"] = r.fields_overflow;
    routes.push_back(std::move(route));
  }
  return {{"summary", std::move(summary)}, {"routes", std::move(routes)}};
}

}  // namespace parity::report
