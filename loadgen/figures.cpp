#include "loadgen/figures.h"

#include <cmath>
#include <cstdio>

#include "report/format.h"

namespace parity::loadgen {

const std::vector<Figure>& figures() {
  static const std::vector<Figure> all = {
      {"throughput", "throughput req/s", false, false},
      {"error_rate", "error rate", true, false},
      {"p50", "p50 ms", true, false},
      {"p90", "p90 ms", true, false},
      {"p95", "p95 ms", true, false},
      {"p99", "p99 ms", true, false},
      {"p999", "p99.9 ms", true, false},
      {"max", "max ms", true, false},
      {"mean", "mean ms", true, false},
      {"cpu_s", "CPU s", true, true},
      {"cpu_ms_per_1k", "CPU ms / 1k req", true, true},
      {"peak_rss_mib", "peak RSS MiB", true, true},
  };
  return all;
}

const Figure* find_figure(const std::string& key) {
  for (const auto& f : figures()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::optional<double> figure_value(const std::string& key, const Tally& t, double seconds) {
  const auto ms = [&](double p) -> std::optional<double> {
    if (t.latency.empty()) return std::nullopt;
    return report::us_to_ms(t.latency.percentile(p));
  };
  if (key == "throughput") return seconds > 0 ? std::optional<double>(static_cast<double>(t.requests) / seconds) : std::nullopt;
  if (key == "error_rate") return t.requests ? std::optional<double>(t.error_rate()) : std::nullopt;
  if (key == "p50") return ms(50);
  if (key == "p90") return ms(90);
  if (key == "p95") return ms(95);
  if (key == "p99") return ms(99);
  if (key == "p999") return ms(99.9);
  if (key == "max") return t.latency.empty() ? std::nullopt : std::optional<double>(report::us_to_ms(t.latency.max()));
  if (key == "mean") return t.latency.empty() ? std::nullopt : std::optional<double>(t.latency.mean() / 1000.0);
  return std::nullopt;
}

std::optional<double> figure_value(const std::string& key, const TargetRun& run) {
  if (!run.measured) return std::nullopt;
  if (key == "cpu_s" || key == "cpu_ms_per_1k" || key == "peak_rss_mib") {
    if (!run.process) return std::nullopt;
    if (key == "cpu_s") return run.process->cpu_seconds;
    if (key == "peak_rss_mib") return static_cast<double>(run.process->peak_rss_bytes) / (1024.0 * 1024.0);
    if (run.overall.requests == 0) return std::nullopt;
    return run.process->cpu_seconds * 1000.0 * 1000.0 / static_cast<double>(run.overall.requests);
  }
  return figure_value(key, run.overall, run.seconds);
}

std::optional<double> ratio(std::optional<double> candidate, std::optional<double> legacy) {
  if (!candidate || !legacy || *legacy == 0) return std::nullopt;
  return *candidate / *legacy;
}

std::string format_figure(const std::string& key, double value) {
  char buf[64];
  if (key == "error_rate") return report::format_percent(value);
  if (key == "throughput") {
    return report::format_count(static_cast<std::uint64_t>(std::llround(value)));
  }
  if (key == "cpu_s" || key == "peak_rss_mib" || key == "cpu_ms_per_1k") {
    std::snprintf(buf, sizeof buf, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
    return buf;
  }
  return report::format_ms(value);
}

std::string format_ratio(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 100 ? "%.0fx" : r >= 10 ? "%.1fx" : "%.2fx", r);
  return buf;
}

}  // namespace parity::loadgen
