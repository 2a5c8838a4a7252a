#include "report/render_prometheus.h"

#include <cstdio>
#include <sstream>

#include "core/metrics.h"
#include "report/format.h"

namespace parity::report {
namespace {

std::string labels(const RouteStats& r) {
  return "route=\"" + prometheus_label(r.route) + "\",method=\"" + prometheus_label(r.method) + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string prometheus_label(std::string_view value) { return escape_label_value(value); }

std::string render_prometheus(const Aggregate& aggregate, std::size_t top_fields) {
  const auto routes = aggregate.routes();
  std::ostringstream out;

  out << "# HELP parity_exchanges_total Mirrored exchanges compared, by route, method and verdict.\n"
         "# TYPE parity_exchanges_total counter\n";
  for (const auto& r : routes) {
    const auto l = labels(r);
    out << "parity_exchanges_total{" << l << ",verdict=\"match\"} " << r.counts.match << "\n"
        << "parity_exchanges_total{" << l << ",verdict=\"expected\"} " << r.counts.expected << "\n"
        << "parity_exchanges_total{" << l << ",verdict=\"mismatch\"} " << r.counts.mismatch << "\n"
        << "parity_exchanges_total{" << l << ",verdict=\"error\"} " << r.counts.error << "\n";
  }

  out << "# HELP parity_field_differences_total Differences per response field (the most frequent fields of "
         "each route).\n# TYPE parity_field_differences_total counter\n";
  for (const auto& r : routes) {
    const auto l = labels(r);
    for (std::size_t i = 0; i < r.fields.size() && i < top_fields; ++i) {
      const auto& f = r.fields[i];
      out << "parity_field_differences_total{" << l << ",pointer=\"" << prometheus_label(f.pointer) << "\",kind=\""
          << compare::to_string(f.kind) << "\"} " << f.count << "\n";
    }
  }
  out << "# HELP parity_field_differences_untracked_total Differences at fields not listed in "
         "parity_field_differences_total.\n# TYPE parity_field_differences_untracked_total counter\n";
  for (const auto& r : routes) {
    std::uint64_t rest = r.fields_overflow;
    for (std::size_t i = top_fields; i < r.fields.size(); ++i) rest += r.fields[i].count;
    out << "parity_field_differences_untracked_total{" << labels(r) << "} " << rest << "\n";
  }

  out << "# HELP parity_shadow_latency_ms Response latency of each side of mirrored exchanges, in milliseconds.\n"
         "# TYPE parity_shadow_latency_ms summary\n";
  for (const auto& r : routes) {
    for (const auto& [side, h] : {std::pair<const char*, const LatencyHistogram*>{"legacy", &r.legacy_latency},
                                  {"candidate", &r.candidate_latency}}) {
      const auto l = labels(r) + ",side=\"" + side + "\"";
      for (const auto& [q, p] : {std::pair<const char*, double>{"0.5", 50}, {"0.95", 95}, {"0.99", 99}}) {
        out << "parity_shadow_latency_ms{" << l << ",quantile=\"" << q << "\"} "
            << (h->empty() ? std::string("NaN") : number(us_to_ms(h->percentile(p)))) << "\n";
      }
      out << "parity_shadow_latency_ms_sum{" << l << "} " << number(h->mean() * static_cast<double>(h->count()) / 1000.0)
          << "\n";
      out << "parity_shadow_latency_ms_count{" << l << "} " << h->count() << "\n";
    }
  }
  return out.str();
}

}  // namespace parity::report
