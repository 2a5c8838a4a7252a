#include <sstream>

#include "loadgen/grid.h"
#include "loadgen/render.h"
#include "report/escape.h"
#include "report/svg_charts.h"

namespace parity::loadgen {
namespace {

using report::html_escape;

void html_grid(std::ostringstream& out, const Grid& g) {
  out << "<table><thead><tr>";
  for (const auto& h : g.header) out << "<th>" << html_escape(h) << "</th>";
  out << "</tr></thead><tbody>";
  for (const auto& row : g.rows) {
    out << "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) out << (i == 0 ? "<th>" : "<td>") << html_escape(row[i]) << (i == 0 ? "</th>" : "</td>");
    out << "</tr>";
  }
  out << "</tbody></table>";
}

constexpr const char* kStyle =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}"
    "table{border-collapse:collapse;margin:.6em 0 1.2em}th,td{padding:3px 10px;border-bottom:1px solid #ddd}"
    "td{text-align:right;font-variant-numeric:tabular-nums}thead th{background:#f4f4f4}tbody th{text-align:left;"
    "font-weight:normal}.chart{max-width:720px;width:100%;height:auto}.grid{stroke:#e3e3e3}.tick{font-size:11px;"
    "fill:#555}.axis{font-size:12px;fill:#333}.legend{font-size:12px}.warn{color:#a33}";

}  // namespace

std::string render_html(const BenchResults& results) {
  std::ostringstream out;
  out << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>parity bench</title><style>" << kStyle
      << "</style></head><body><h1>parity bench</h1><p>Request mix <code>" << html_escape(results.requests_source)
      << "</code> (" << results.endpoints.size() << " endpoints); " << html_escape(method_line(results))
      << ". Started " << html_escape(results.started_at)
      << ". Ratios are candidate/legacy: below 1.00x is faster for latencies, above 1.00x serves more for throughput.</p>";
  if (!results.warnings.empty()) {
    out << "<ul class=\"warn\">";
    for (const auto& w : results.warnings) out << "<li>" << html_escape(w) << "</li>";
    out << "</ul>";
  }
  for (const auto& level : results.levels) {
    out << "<h2>" << html_escape(level_title(level)) << "</h2>";
    html_grid(out, overall_grid(level));
    out << "<p>Errors by kind: " << html_escape(errors_line(level)) << "</p>";
    const auto* legacy = level.find("legacy");
    const auto* candidate = level.find("candidate");
    if (legacy || candidate) {
      static const LatencyHistogram kEmpty;
      out << "<h3>Latency distribution</h3>"
          << report::svg_percentile_curves(legacy ? legacy->overall.latency : kEmpty,
                                           candidate ? candidate->overall.latency : kEmpty, 720, 300);
    }
    if (results.endpoints.size() > 1) {
      out << "<details><summary>Per endpoint (ms)</summary>";
      html_grid(out, endpoint_grid(level, results.endpoints));
      out << "</details>";
    }
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace parity::loadgen
