#include "report/format.h"

#include <cmath>
#include <cstdio>

namespace parity::report {

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  const std::size_t lead = digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && i >= lead && (i - lead) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_percent(double share) {
  if (!(share > 0)) return "0%";
  if (share >= 1) return "100%";
  double pct = share * 100;
  char buf[32];
  // Keep 0 < share < 1 from rounding to the misleading "0.0%" or "100.0%".
  if (pct < 0.1) return "<0.1%";
  if (pct > 99.9 && pct < 100) return ">99.9%";
  std::snprintf(buf, sizeof buf, "%.1f%%", pct);
  return buf;
}

std::string format_ms(double ms) {
  char buf[32];
  if (!std::isfinite(ms)) return "–";
  if (ms < 1) {
    std::snprintf(buf, sizeof buf, "%.3f", ms);
  } else if (ms < 10) {
    std::snprintf(buf, sizeof buf, "%.2f", ms);
  } else if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.1f", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", ms);
  }
  return buf;
}

std::string format_percentile_ms(const LatencyHistogram& h, double p) {
  return h.empty() ? "–" : format_ms(us_to_ms(h.percentile(p)));
}

double us_to_ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace parity::report
