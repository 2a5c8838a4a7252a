#pragma once
// Renderers of bench results: plain functions over the results value.
#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/results.h"

namespace parity::loadgen {

// The side-by-side table for a terminal (fixed-width columns, numbers right-aligned).
std::string render_table(const BenchResults& results);
// Everything, for machines: figures in ms / req/s / shares, ratios, errors by kind, per endpoint, and
// each target's overall latency histogram in LatencyHistogram's compact form.
nlohmann::json render_json(const BenchResults& results);
// Tables for a pull request description.
std::string render_markdown(const BenchResults& results);
// One self-contained page (no scripts, no network): tables and latency-by-percentile charts as inline SVG.
std::string render_html(const BenchResults& results);

}  // namespace parity::loadgen
