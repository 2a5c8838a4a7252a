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

// Calls fn(labels with side, histogram) for both sides of every route.
template <class Fn>
void for_each_side(const std::vector<RouteStats>& routes, Fn fn) {
  for (const auto& r : routes) {
    fn(labels(r) + ",side=\"legacy\"", r.legacy_latency);
    fn(labels(r) + ",side=\"candidate\"", r.candidate_latency);
  }
}

void sum_and_count(std::ostream& out, const char* name, const std::string& l, const LatencyHistogram& h) {
  out << name << "_sum{" << l << "} " << number(h.mean() * static_cast<double>(h.count()) / 1000.0) << "\n"
      << name << "_count{" << l << "} " << h.count() << "\n";
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
  for_each_side(routes, [&](const std::string& l, const LatencyHistogram& h) {
    for (const auto& [q, p] : {std::pair<const char*, double>{"0.5", 50}, {"0.95", 95}, {"0.99", 99}}) {
      out << "parity_shadow_latency_ms{" << l << ",quantile=\"" << q << "\"} "
          << (h.empty() ? std::string("NaN") : number(us_to_ms(h.percentile(p)))) << "\n";
    }
    sum_and_count(out, "parity_shadow_latency_ms", l, h);
  });

  // The same latencies as a histogram: the quantiles of a summary cannot be added up across instances,
  // buckets can (histogram_quantile over sum by (le)). The bounds are those of parity_request_duration_ms.
  const auto& bounds_ms = Histogram::bucket_bounds_ms();
  std::vector<std::int64_t> bounds_us;
  for (double b : bounds_ms) bounds_us.push_back(static_cast<std::int64_t>(b * 1000.0));
  out << "# HELP parity_side_latency_ms Response latency of each side of mirrored exchanges, in milliseconds "
         "(buckets: add them up across instances).\n"
         "# TYPE parity_side_latency_ms histogram\n";
  for_each_side(routes, [&](const std::string& l, const LatencyHistogram& h) {
    const auto counts = h.cumulative_counts(bounds_us);
    for (std::size_t i = 0; i < bounds_ms.size(); ++i) {
      out << "parity_side_latency_ms_bucket{" << l << ",le=\"" << number(bounds_ms[i]) << "\"} " << counts[i] << "\n";
    }
    out << "parity_side_latency_ms_bucket{" << l << ",le=\"+Inf\"} " << h.count() << "\n";
    sum_and_count(out, "parity_side_latency_ms", l, h);
  });
  return out.str();
}

}  // namespace parity::report
