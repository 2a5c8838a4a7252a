#pragma once
// The side-by-side tables as plain cells, shared by the terminal, Markdown and HTML renderers.
#include <string>
#include <vector>

#include "loadgen/results.h"

namespace parity::loadgen {

struct Grid {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // first cell is the row label
};

// One row per figure: each target's value, then candidate/legacy (and gateway/legacy) ratios.
// Process rows appear only when some target has --pid figures.
Grid overall_grid(const Level& level);
// One row per endpoint: requests, p50 and p99 of legacy and candidate (or whichever targets ran) and the
// p99 ratio.
Grid endpoint_grid(const Level& level, const std::vector<std::string>& endpoints);
// "concurrency 50 (closed-loop)" / "rate 500 req/s over 16 connections (open-loop)"
std::string level_title(const Level& level);
// "legacy: none; candidate: reset 3, http_5xx 2" — errors by kind per target.
std::string errors_line(const Level& level);
// How the level was measured: seconds per target, rounds, warm-up.
std::string method_line(const BenchResults& results);

}  // namespace parity::loadgen
