#include "loadgen/thresholds.h"

#include <cstdio>
#include <cstdlib>

#include "core/http_message.h"
#include "loadgen/figures.h"
#include "loadgen/grid.h"

namespace parity::loadgen {
namespace {

bool crosses(double value, const std::string& op, double limit) {
  if (op == ">") return value > limit;
  if (op == ">=") return value >= limit;
  if (op == "<") return value < limit;
  return value <= limit;
}

}  // namespace

std::optional<Threshold> parse_threshold(const std::string& text, std::string& error) {
  Threshold t;
  t.text = text;
  const auto at = text.find_first_of("<>");
  if (at == std::string::npos) {
    error = "--fail-if '" + text + "': expected FIGURE>LIMIT, e.g. p99_ratio>1.2 or candidate.p99>250";
    return std::nullopt;
  }
  t.op = text.substr(at, at + 1 < text.size() && text[at + 1] == '=' ? 2 : 1);
  std::string left(trim_ows(std::string_view(text).substr(0, at)));
  const std::string right(trim_ows(std::string_view(text).substr(at + t.op.size())));
  char* end = nullptr;
  t.limit = std::strtod(right.c_str(), &end);
  if (right.empty() || end != right.c_str() + right.size()) {
    error = "--fail-if '" + text + "': the limit '" + right + "' is not a number";
    return std::nullopt;
  }
  if (const auto dot = left.find('.'); dot != std::string::npos) {
    t.target = left.substr(0, dot);
    t.figure = left.substr(dot + 1);
    if (t.target != "legacy" && t.target != "candidate" && t.target != "gateway") {
      error = "--fail-if '" + text + "': unknown target '" + t.target + "' (legacy, candidate or gateway)";
      return std::nullopt;
    }
  } else {
    const std::string suffix = "_ratio";
    if (left.size() <= suffix.size() || left.compare(left.size() - suffix.size(), suffix.size(), suffix) != 0) {
      error = "--fail-if '" + text + "': '" + left + "' is neither FIGURE_ratio nor TARGET.FIGURE";
      return std::nullopt;
    }
    t.figure = left.substr(0, left.size() - suffix.size());
  }
  if (!find_figure(t.figure)) {
    std::string names;
    for (const auto& f : figures()) names += (names.empty() ? "" : ", ") + f.key;
    error = "--fail-if '" + text + "': unknown figure '" + t.figure + "' (one of " + names + ")";
    return std::nullopt;
  }
  return t;
}

std::vector<std::string> check_thresholds(const std::vector<Threshold>& thresholds, const BenchResults& results) {
  std::vector<std::string> failures;
  for (const auto& t : thresholds) {
    for (const auto& level : results.levels) {
      std::optional<double> value;
      if (t.target.empty()) {
        const auto* c = level.find("candidate");
        const auto* l = level.find("legacy");
        if (c && l) value = ratio(figure_value(t.figure, *c), figure_value(t.figure, *l));
      } else if (const auto* run = level.find(t.target)) {
        value = figure_value(t.figure, *run);
      }
      char buf[64];
      if (!value) {
        failures.push_back(t.text + ": cannot be computed at " + level_title(level) +
                           " (target not given, not reached, or no figure)");
      } else if (crosses(*value, t.op, t.limit)) {
        std::snprintf(buf, sizeof buf, "%.4g", *value);
        failures.push_back(t.text + ": " + buf + " at " + level_title(level));
      }
    }
  }
  return failures;
}

}  // namespace parity::loadgen
