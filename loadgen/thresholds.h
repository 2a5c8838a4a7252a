#pragma once
// --fail-if thresholds for CI: "p99_ratio>1.2" (candidate/legacy), "candidate.p99>250" (ms),
// "candidate.error_rate>0.01". Operators: > >= < <=. A threshold is checked at every load level.
#include <optional>
#include <string>
#include <vector>

#include "loadgen/results.h"

namespace parity::loadgen {

struct Threshold {
  std::string text;     // as given, for messages
  std::string target;   // "" for a ratio, else "legacy" / "candidate" / "gateway"
  std::string figure;   // a key of figures()
  std::string op;       // ">", ">=", "<", "<="
  double limit = 0;
};

// nullopt and `error` (naming the expression and the reason) when it does not parse.
std::optional<Threshold> parse_threshold(const std::string& text, std::string& error);

// One message per level where a threshold is crossed ("p99_ratio>1.2: 1.35 at concurrency 50").
// A figure that cannot be computed (target unreachable) also fails the threshold: CI must not pass blind.
std::vector<std::string> check_thresholds(const std::vector<Threshold>& thresholds, const BenchResults& results);

}  // namespace parity::loadgen
