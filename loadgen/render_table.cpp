#include <algorithm>
#include <sstream>

#include "loadgen/grid.h"
#include "loadgen/render.h"

namespace parity::loadgen {
namespace {

// Display width of UTF-8 text: code points (the tables hold no wide characters).
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void print_grid(std::ostringstream& out, const Grid& g) {
  std::vector<std::size_t> widths(g.header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  };
  measure(g.header);
  for (const auto& r : g.rows) measure(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      const std::string pad(widths[i] - width(row[i]), ' ');
      text += i == 0 ? row[i] + pad : "  " + pad + row[i];
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << "  " << text << "\n";
  };
  line(g.header);
  for (const auto& r : g.rows) line(r);
}

}  // namespace

std::string render_table(const BenchResults& results) {
  std::ostringstream out;
  out << "parity bench: " << results.requests_source << " — " << results.endpoints.size() << " endpoint"
      << (results.endpoints.size() == 1 ? "" : "s") << "; " << method_line(results) << "\n";
  for (const auto& level : results.levels) {
    out << "\n== " << level_title(level) << "\n";
    print_grid(out, overall_grid(level));
    out << "  errors by kind: " << errors_line(level) << "\n";
    if (results.endpoints.size() > 1) {
      out << "\n  per endpoint (latency in ms):\n";
      print_grid(out, endpoint_grid(level, results.endpoints));
    }
  }
  if (!results.warnings.empty()) {
    out << "\nwarnings:\n";
    for (const auto& w : results.warnings) out << "  - " << w << "\n";
  }
  out << "\nratios are candidate/legacy (gateway/legacy): below 1.00x the candidate is faster for latencies, above "
         "1.00x it serves more for throughput.\n";
  return out.str();
}

}  // namespace parity::loadgen
