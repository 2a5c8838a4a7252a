#include "loadgen/grid.h"

#include <cstdio>

#include "loadgen/figures.h"
#include "report/format.h"

namespace parity::loadgen {
namespace {

const char* kMissing = "–";

std::string cell(const std::string& key, std::optional<double> v) { return v ? format_figure(key, *v) : kMissing; }
std::string ratio_cell(std::optional<double> r) { return r ? format_ratio(*r) : kMissing; }

}  // namespace

Grid overall_grid(const Level& level) {
  Grid g;
  const auto* legacy = level.find("legacy");
  const auto* candidate = level.find("candidate");
  const auto* gateway = level.find("gateway");
  g.header.push_back("figure");
  for (const auto& t : level.targets) g.header.push_back(t.target);
  const bool cand_ratio = legacy && candidate;
  const bool gw_ratio = legacy && gateway;
  if (cand_ratio) g.header.push_back("candidate/legacy");
  if (gw_ratio) g.header.push_back("gateway/legacy");
  bool any_process = false;
  for (const auto& t : level.targets) any_process = any_process || t.process.has_value();

  std::vector<std::string> req{"requests"};
  for (const auto& t : level.targets) req.push_back(t.measured ? report::format_count(t.overall.requests) : "not measured");
  if (cand_ratio) req.push_back("");
  if (gw_ratio) req.push_back("");
  g.rows.push_back(req);
  for (const auto& f : figures()) {
    if (f.process && !any_process) continue;
    std::vector<std::string> row{f.label};
    for (const auto& t : level.targets) row.push_back(cell(f.key, figure_value(f.key, t)));
    if (cand_ratio) row.push_back(ratio_cell(ratio(figure_value(f.key, *candidate), figure_value(f.key, *legacy))));
    if (gw_ratio) row.push_back(ratio_cell(ratio(figure_value(f.key, *gateway), figure_value(f.key, *legacy))));
    g.rows.push_back(std::move(row));
  }
  return g;
}

Grid endpoint_grid(const Level& level, const std::vector<std::string>& endpoints) {
  Grid g;
  g.header.push_back("endpoint");
  for (const auto& t : level.targets) g.header.push_back(t.target + " req");
  for (const auto& t : level.targets) g.header.push_back(t.target + " p50");
  for (const auto& t : level.targets) g.header.push_back(t.target + " p99");
  const auto* legacy = level.find("legacy");
  const auto* candidate = level.find("candidate");
  const bool with_ratio = legacy && candidate;
  if (with_ratio) g.header.push_back("p99 c/l");
  auto tally_of = [](const TargetRun& t, const std::string& e) -> const Tally* {
    auto it = t.endpoints.find(e);
    return it == t.endpoints.end() ? nullptr : &it->second;
  };
  for (const auto& e : endpoints) {
    std::vector<std::string> row{e};
    for (const auto& t : level.targets) {
      const auto* tally = tally_of(t, e);
      row.push_back(tally ? report::format_count(tally->requests) : kMissing);
    }
    for (const char* p : {"p50", "p99"}) {
      for (const auto& t : level.targets) {
        const auto* tally = tally_of(t, e);
        row.push_back(tally ? cell(p, figure_value(p, *tally, t.seconds)) : kMissing);
      }
    }
    if (with_ratio) {
      const auto* c = tally_of(*candidate, e);
      const auto* l = tally_of(*legacy, e);
      row.push_back(c && l ? ratio_cell(ratio(figure_value("p99", *c, candidate->seconds),
                                              figure_value("p99", *l, legacy->seconds)))
                           : kMissing);
    }
    g.rows.push_back(std::move(row));
  }
  return g;
}

std::string level_title(const Level& level) {
  char buf[128];
  if (level.rate > 0) {
    std::snprintf(buf, sizeof buf, "rate %g req/s over %d connections (open-loop)", level.rate, level.concurrency);
  } else {
    std::snprintf(buf, sizeof buf, "concurrency %d (closed-loop)", level.concurrency);
  }
  return buf;
}

std::string errors_line(const Level& level) {
  std::string out;
  for (const auto& t : level.targets) {
    if (!out.empty()) out += "; ";
    out += t.target + ": ";
    if (!t.measured) {
      out += "not measured (" + t.error + ")";
      continue;
    }
    std::string kinds;
    for (const auto& [kind, n] : t.overall.errors) kinds += (kinds.empty() ? "" : ", ") + kind + " " + report::format_count(n);
    out += kinds.empty() ? "none" : kinds;
    if (t.overall.status_4xx) out += " (4xx, not errors: " + report::format_count(t.overall.status_4xx) + ")";
  }
  return out;
}

std::string method_line(const BenchResults& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s-loop, %g s per target and level in %d interleaved round%s, %g s warm-up excluded, %d load thread%s",
                r.mode.c_str(), r.duration_s, r.rounds, r.rounds == 1 ? "" : "s", r.warmup_s, r.threads,
                r.threads == 1 ? "" : "s");
  return buf;
}

}  // namespace parity::loadgen
