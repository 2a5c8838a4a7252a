#pragma once
// Number formatting shared by the Markdown and HTML reports.
#include <cstdint>
#include <string>

#include "core/latency_histogram.h"

namespace parity::report {

// 1234567 -> "1,234,567"
std::string format_count(std::uint64_t n);
// 0.97531 -> "97.5%"; 1 -> "100%"; a share that is not exactly 0 or 1 never prints as "0%" or "100%".
std::string format_percent(double share);
// Milliseconds with precision that suits the magnitude: 0.042, 3.14, 12.3, 1234.
std::string format_ms(double ms);
// A percentile of a histogram (µs) in milliseconds, or "–" when the histogram is empty.
std::string format_percentile_ms(const LatencyHistogram& h, double p);
// Milliseconds as a JSON-friendly double rounded to the microsecond.
double us_to_ms(std::int64_t us);

}  // namespace parity::report
