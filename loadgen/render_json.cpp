#include "loadgen/figures.h"
#include "loadgen/render.h"
#include "report/format.h"

namespace parity::loadgen {
namespace {

nlohmann::json value_or_null(std::optional<double> v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json tally_json(const Tally& t, double seconds) {
  nlohmann::json j;
  j["requests"] = t.requests;
  j["responses"] = t.responses;
  j["status_4xx"] = t.status_4xx;
  j["bytes"] = t.bytes;
  j["errors"] = t.error_count();
  j["errors_by_kind"] = t.errors;
  j["error_rate"] = t.error_rate();
  j["throughput_rps"] = value_or_null(figure_value("throughput", t, seconds));
  nlohmann::json lat = nlohmann::json::object();
  for (const char* key : {"p50", "p90", "p95", "p99", "p999", "max", "mean"}) lat[key] = value_or_null(figure_value(key, t, seconds));
  lat["min"] = t.latency.empty() ? nlohmann::json(nullptr) : nlohmann::json(report::us_to_ms(t.latency.min()));
  j["latency_ms"] = lat;
  return j;
}

}  // namespace

nlohmann::json render_json(const BenchResults& r) {
  nlohmann::json j;
  j["tool"] = "parity bench";
  j["started_at"] = r.started_at;
  j["mode"] = r.mode;
  j["duration_s"] = r.duration_s;
  j["warmup_s"] = r.warmup_s;
  j["rounds"] = r.rounds;
  j["threads"] = r.threads;
  j["requests_source"] = r.requests_source;
  j["endpoints"] = r.endpoints;
  j["warnings"] = r.warnings;
  j["levels"] = nlohmann::json::array();
  for (const auto& level : r.levels) {
    nlohmann::json l;
    l["concurrency"] = level.concurrency;
    l["rate"] = level.rate;
    l["targets"] = nlohmann::json::object();
    for (const auto& t : level.targets) {
      nlohmann::json tj;
      tj["url"] = t.url;
      tj["measured"] = t.measured;
      if (!t.error.empty()) tj["error"] = t.error;
      tj["seconds"] = t.seconds;
      tj["overall"] = tally_json(t.overall, t.seconds);
      tj["histogram"] = t.overall.latency.to_json();
      tj["endpoints"] = nlohmann::json::object();
      for (const auto& [name, tally] : t.endpoints) tj["endpoints"][name] = tally_json(tally, t.seconds);
      if (t.process) {
        tj["process"] = {{"pid", t.process->pid},
                         {"cpu_seconds", t.process->cpu_seconds},
                         {"cpu_ms_per_1k", value_or_null(figure_value("cpu_ms_per_1k", t))},
                         {"peak_rss_mib", value_or_null(figure_value("peak_rss_mib", t))}};
        if (!t.process->warning.empty()) tj["process"]["warning"] = t.process->warning;
      }
      l["targets"][t.target] = tj;
    }
    const auto* legacy = level.find("legacy");
    const auto* candidate = level.find("candidate");
    const auto* gateway = level.find("gateway");
    nlohmann::json ratios = nlohmann::json::object();
    nlohmann::json gw = nlohmann::json::object();
    for (const auto& f : figures()) {
      if (legacy && candidate) ratios[f.key] = value_or_null(ratio(figure_value(f.key, *candidate), figure_value(f.key, *legacy)));
      if (legacy && gateway) gw[f.key] = value_or_null(ratio(figure_value(f.key, *gateway), figure_value(f.key, *legacy)));
    }
    if (legacy && candidate) l["candidate_legacy_ratio"] = ratios;
    if (legacy && gateway) l["gateway_legacy_ratio"] = gw;
    j["levels"].push_back(l);
  }
  return j;
}

}  // namespace parity::loadgen
