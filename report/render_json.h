#pragma once
// The report as JSON (the contract's shape, plus extra keys):
// {summary, routes: [{route, method, exchanges, match, expected, mismatch, error,
//   latency: {legacy: {p50, p95, p99}, candidate: {…}}, fields: [{pointer, kind, count, noise}]}]}
// Latencies are milliseconds; rates are shares in [0, 1].
#include <nlohmann/json.hpp>

#include "report/aggregate.h"
#include "report/render_options.h"

namespace parity::report {

nlohmann::json render_json(const Aggregate& aggregate, const RenderOptions& options = {});

// {p50, p95, p99, p999, max, mean, count} in ms (null percentiles when empty); with `histogram`, the
// serialised histogram too (see LatencyHistogram::to_json).
nlohmann::json latency_json(const LatencyHistogram& h, bool histogram = false);

}  // namespace parity::report
