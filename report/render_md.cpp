#include "report/render_md.h"

#include <algorithm>
#include <sstream>

#include "report/escape.h"
#include "report/format.h"
#include "report/presentation.h"

namespace parity::report {
namespace {

std::string latency_cell(const LatencyHistogram& h) {
  if (h.empty()) return "–";
  return format_percentile_ms(h, 50) + " / " + format_percentile_ms(h, 95) + " / " + format_percentile_ms(h, 99);
}

std::string field_note(const FieldStats& f) {
  if (f.noise()) return "noise";
  if (f.expected()) return "expected (error format)";
  std::string note;
  if (f.noise_count > 0) note += format_count(f.noise_count) + " noise";
  if (f.expected_count > 0) note += std::string(note.empty() ? "" : ", ") + format_count(f.expected_count) + " expected";
  return note.empty() ? "**difference**" : "**difference** (" + note + ")";
}

std::string example_cell(const FieldStats& f) {
  if (f.examples.empty()) return "";
  const auto& e = f.examples.front();
  auto show = [](const nlohmann::json& v) {
    return v.is_null() ? std::string("(absent)") : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  // Where in the field it was, when the field stands for several pointers (/events/*/id).
  const std::string at = e.pointer == f.pointer ? "" : md_code(display_pointer(e.pointer)) + ": ";
  return at + md_code(show(e.legacy)) + " → " + md_code(show(e.candidate));
}

void counts_row(std::ostringstream& out, const VerdictCounts& c) {
  out << format_count(c.exchanges) << " | " << format_count(c.match) << " | " << format_count(c.expected) << " | "
      << format_count(c.mismatch) << " | " << format_count(c.error) << " | " << format_percent(c.parity_rate());
}

}  // namespace

std::string render_md(const Aggregate& aggregate, const RenderOptions& options) {
  const auto& s = aggregate.summary();
  auto routes = aggregate.routes();
  sort_worst_first(routes);
  std::ostringstream out;

  out << "## Parity report\n\n";
  out << "**" << format_count(s.counts.exchanges) << " exchanges** on " << format_count(s.routes)
      << (s.routes == 1 ? " route" : " routes");
  if (!s.first_ts.empty()) out << " from " << s.first_ts << " to " << s.last_ts;
  if (!s.served_by.empty()) {
    out << "; served by ";
    bool first = true;
    for (const auto& [side, n] : s.served_by) {
      out << (first ? "" : ", ") << md_text(side) << " (" << format_count(n) << ")";
      first = false;
    }
  }
  out << ".\n";
  if (!options.source.empty()) out << "Source: " << md_code(options.source) << ".";
  if (options.malformed > 0) {
    out << " Skipped " << format_count(options.malformed) << (options.malformed == 1 ? " malformed line." : " malformed lines.");
  }
  if (!options.source.empty() || options.malformed > 0) out << "\n";
  out << "\n";
  out << "Parity counts exchanges that matched or whose differences are all expected (error format) or "
         "noise.\n\n";

  out << "| | Exchanges | Match | Expected | Mismatch | Error | Parity |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|\n";
  out << "| **All routes** | ";
  counts_row(out, s.counts);
  out << " |\n\n";

  out << "| Latency (ms) | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [name, h] : {std::pair<const char*, const LatencyHistogram*>{"Legacy", &s.legacy_latency},
                                {"Candidate", &s.candidate_latency}}) {
    out << "| " << name << " | " << format_percentile_ms(*h, 50) << " | " << format_percentile_ms(*h, 95) << " | "
        << format_percentile_ms(*h, 99) << " | " << format_percentile_ms(*h, 100) << " |\n";
  }
  out << "\n";

  if (routes.empty()) {
    out << "_No exchanges recorded yet._\n";
    return out.str();
  }

  out << "### Routes\n\n";
  out << "| Route | Exchanges | Match | Expected | Mismatch | Error | Parity | Legacy p50 / p95 / p99 ms | "
         "Candidate p50 / p95 / p99 ms |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : routes) {
    out << "| " << md_code(route_label(r)) << " | ";
    counts_row(out, r.counts);
    out << " | " << latency_cell(r.legacy_latency) << " | " << latency_cell(r.candidate_latency) << " |\n";
  }
  out << "\n";

  bool any_fields = false;
  for (const auto& r : routes) {
    if (r.fields.empty()) continue;
    if (!any_fields) out << "### Differing fields\n\n";
    any_fields = true;
    out << "#### " << md_code(route_label(r)) << "\n\n";
    out << "| Field | Kind | Count | Share | Class | Example (legacy → candidate) |\n";
    out << "|---|---|---:|---:|---|---|\n";
    const std::size_t shown = std::min(r.fields.size(), options.top_fields);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& f = r.fields[i];
      const double share = r.counts.exchanges ? static_cast<double>(f.count) / static_cast<double>(r.counts.exchanges) : 0;
      out << "| " << md_code(display_pointer(f.pointer)) << " | " << compare::to_string(f.kind) << " | " << format_count(f.count)
          << " | " << format_percent(share) << " | " << field_note(f) << " | " << example_cell(f) << " |\n";
    }
    if (r.fields.size() > shown) {
      out << "\n_…and " << format_count(r.fields.size() - shown) << " more fields (see the JSON or HTML report)._\n";
    }
    if (r.fields_overflow > 0) {
      out << "\n_" << format_count(r.fields_overflow) << " further differences at fields beyond the tracked limit._\n";
    }
    out << "\n";
  }
  if (!any_fields) out << "_No differing fields._\n";
  return out.str();
}

}  // namespace parity::report
