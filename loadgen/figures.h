#pragma once
// The figures compared side by side (one row each in every output) and the candidate/legacy ratio.
// Shared by the renderers and the --fail-if thresholds so they agree on names and units.
#include <optional>
#include <string>
#include <vector>

#include "loadgen/results.h"

namespace parity::loadgen {

struct Figure {
  std::string key;    // "p99", "throughput", … (threshold names: "p99_ratio", "candidate.p99")
  std::string label;  // "p99 ms"
  bool lower_is_better = true;
  bool process = false;  // CPU/RSS: only present with --pid
};

const std::vector<Figure>& figures();
const Figure* find_figure(const std::string& key);

// The figure for a tally (latencies in ms, throughput in req/s over `seconds`, error rate as a share).
std::optional<double> figure_value(const std::string& key, const Tally& tally, double seconds);
// The same for a whole target run, including the process figures; nullopt when not measured.
std::optional<double> figure_value(const std::string& key, const TargetRun& run);
// candidate / legacy; nullopt when either is missing or legacy is 0.
std::optional<double> ratio(std::optional<double> candidate, std::optional<double> legacy);

// Number text for tables: ms with a precision that suits the magnitude, counts with separators.
std::string format_figure(const std::string& key, double value);
std::string format_ratio(double ratio);  // "1.23x"

}  // namespace parity::loadgen
