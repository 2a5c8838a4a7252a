#pragma once
// The live aggregates in the Prometheus text format (metric names prefixed parity_), for /metrics:
//   parity_exchanges_total{route,method,verdict}                counter
//   parity_field_differences_total{route,method,pointer,kind}   counter, the top N fields per route only
//   parity_field_differences_untracked_total{route,method}      counter, differences at all other fields
//   parity_shadow_latency_ms{route,method,side,quantile}        summary (0.5, 0.95, 0.99) with _sum, _count
//   parity_side_latency_ms_bucket{route,method,side,le}         histogram of the same, to add up across instances
#include <cstddef>
#include <string>

#include "report/aggregate.h"

namespace parity::report {

// `top_fields` caps the label cardinality of parity_field_differences_total per (route, method).
std::string render_prometheus(const Aggregate& aggregate, std::size_t top_fields = 20);

// A Prometheus label value with \, " and line feeds escaped.
std::string prometheus_label(std::string_view value);

}  // namespace parity::report
