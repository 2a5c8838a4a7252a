#pragma once
// Inline SVG charts for the HTML report, generated here so the page needs neither scripts nor network.
// Every text that comes from traffic (routes, pointers) is HTML-escaped; each mark carries a <title>
// tooltip with its exact numbers.
#include <cstdint>
#include <string>
#include <vector>

#include "core/latency_histogram.h"
#include "report/aggregate.h"

namespace parity::report {

// One 100% stacked bar per route (match, expected, mismatch, error) with the mismatch rate beside it.
std::string svg_verdict_bars(const std::vector<RouteStats>& routes);

struct FieldBar {
  std::string label;  // e.g. "GET /v1/items · /created"
  std::string kind;
  std::uint64_t count = 0;
  enum class Class { difference, noise, expected } cls = Class::difference;
};
// Horizontal bars, longest first, coloured by class.
std::string svg_field_bars(const std::vector<FieldBar>& bars);

// Latency by percentile (HDR-style: the x axis spreads the tail, 0% 90% 99% 99.9% …) for both sides.
std::string svg_percentile_curves(const LatencyHistogram& legacy, const LatencyHistogram& candidate, int width,
                                  int height);

}  // namespace parity::report
