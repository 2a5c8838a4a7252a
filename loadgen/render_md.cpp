#include <sstream>

#include "loadgen/grid.h"
#include "loadgen/render.h"
#include "report/escape.h"

namespace parity::loadgen {
namespace {

void md_grid(std::ostringstream& out, const Grid& g) {
  out << "|";
  for (const auto& h : g.header) out << " " << report::md_text(h) << " |";
  out << "\n|";
  for (std::size_t i = 0; i < g.header.size(); ++i) out << (i == 0 ? "---|" : "---:|");
  out << "\n";
  for (const auto& row : g.rows) {
    out << "|";
    for (std::size_t i = 0; i < row.size(); ++i) out << " " << (i == 0 ? report::md_text(row[i]) : row[i]) << " |";
    out << "\n";
  }
}

}  // namespace

std::string render_markdown(const BenchResults& results) {
  std::ostringstream out;
  out << "## parity bench\n\n"
      << "Request mix `" << results.requests_source << "` (" << results.endpoints.size() << " endpoints); "
      << method_line(results) << ". Ratios are candidate/legacy: below 1.00x is faster for latencies.\n";
  for (const auto& level : results.levels) {
    out << "\n### " << level_title(level) << "\n\n";
    md_grid(out, overall_grid(level));
    out << "\nErrors by kind: " << report::md_text(errors_line(level)) << "\n";
    if (results.endpoints.size() > 1) {
      out << "\n<details><summary>Per endpoint (ms)</summary>\n\n";
      md_grid(out, endpoint_grid(level, results.endpoints));
      out << "\n</details>\n";
    }
  }
  if (!results.warnings.empty()) {
    out << "\n**Warnings**\n\n";
    for (const auto& w : results.warnings) out << "- " << report::md_text(w) << "\n";
  }
  return out.str();
}

}  // namespace parity::loadgen
