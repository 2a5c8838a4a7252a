#include "report/render_html.h"

#include <algorithm>
#include <sstream>

#include "report/escape.h"
#include "report/format.h"
#include "report/render_json.h"
#include "report/presentation.h"
#include "report/svg_charts.h"

namespace parity::report {
namespace {

constexpr std::size_t kChartFields = 15;

constexpr const char* kStyle = R"CSS(
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#24292f;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px;font-size:22px}
header .meta{color:#c9d1d9;font-size:13px}
header .meta code{color:#fff}
main{max-width:1200px;margin:0 auto;padding:20px 32px 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:15px;margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}
.card .s{color:var(--muted);font-size:12px}
.bad{color:var(--bad)}.good{color:var(--good)}
svg.chart{width:100%;height:auto;display:block}
svg .label,svg .value,svg .legend{font-size:12px;fill:#1f2328}
svg .value{fill:#57606a}
svg .tick{font-size:11px;fill:#57606a}
svg .axis{font-size:11px;fill:#57606a}
svg .grid{stroke:#eaeef2;stroke-width:1}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[data-dir=asc]::after{content:" ▲"}
table.sortable th[data-dir=desc]::after{content:" ▼"}
td.n,th.n{text-align:right}
td code,li code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff1f3;padding:1px 4px;border-radius:4px;overflow-wrap:break-word}
.badge{display:inline-block;font-size:11px;padding:1px 7px;border-radius:10px;font-weight:600}
.badge.difference{background:#ffebe9;color:var(--bad)}
.badge.noise{background:#eaeef2;color:#57606a}
.badge.expected{background:#ddf4ff;color:#0969da}
.toolbar{display:flex;gap:12px;align-items:center;margin-bottom:10px}
.toolbar input{flex:1;max-width:360px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;font:inherit}
button{font:inherit;padding:5px 12px;border:1px solid var(--line);border-radius:6px;background:#f6f8fa;cursor:pointer}
details{border-top:1px solid var(--line);padding:10px 0}
details:first-of-type{border-top:0}
summary{cursor:pointer}
summary h3{display:inline}
summary .s{color:var(--muted);margin-left:8px}
.route-body{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px;margin-top:10px}
@media (max-width:900px){.route-body{grid-template-columns:1fr}}
ul.examples{margin:0;padding-left:16px}
.empty{color:var(--muted)}
.note{color:var(--muted);font-size:12px}
)CSS";

// Runs first, so an error anywhere later is visible in the DOM (and to the integration test).
constexpr const char* kErrorHook =
    "window.addEventListener('error',function(e){document.documentElement.setAttribute('data-js-error',"
    "String(e.message||e));});";

constexpr const char* kScript = R"JS(
(function () {
  var data = JSON.parse(document.getElementById('parity-data').textContent);
  function cellValue(td) {
    var v = td.getAttribute('data-v');
    return v !== null ? parseFloat(v) : td.textContent.trim().toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var headers = table.querySelectorAll('th');
    Array.prototype.forEach.call(headers, function (th, col) {
      th.addEventListener('click', function () {
        var dir = th.getAttribute('data-dir') === 'desc' ? 'asc' : 'desc';
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('data-dir'); });
        th.setAttribute('data-dir', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
          var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
          return dir === 'asc' ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var filter = document.getElementById('route-filter');
  if (filter) {
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(document.querySelectorAll('[data-route]'), function (el) {
        el.hidden = q !== '' && el.getAttribute('data-route').toLowerCase().indexOf(q) < 0;
      });
    });
  }
  var download = document.getElementById('download-json');
  if (download) {
    download.addEventListener('click', function () {
      var blob = new Blob([JSON.stringify(data, null, 2)], {type: 'application/json'});
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'parity-report.json';
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  }
  document.documentElement.setAttribute('data-ready', String(data.routes.length));
})();
)JS";

std::string ms_cell(const LatencyHistogram& h, double p) {
  if (h.empty()) return "<td class=\"n\" data-v=\"-1\">–</td>";
  const double ms = us_to_ms(h.percentile(p));
  return "<td class=\"n\" data-v=\"" + std::to_string(ms) + "\">" + format_ms(ms) + "</td>";
}

std::string count_cell(std::uint64_t n) {
  return "<td class=\"n\" data-v=\"" + std::to_string(n) + "\">" + format_count(n) + "</td>";
}

// `parity`: colour the share as a parity rate (green from 99.9%, red below 95%); otherwise plain.
std::string share_cell(double share, bool parity) {
  const char* cls = !parity ? "" : share >= 0.999 ? " good" : share < 0.95 ? " bad" : "";
  return std::string("<td class=\"n") + cls + "\" data-v=\"" + std::to_string(share) + "\">" + format_percent(share) +
         "</td>";
}

std::string json_text(const nlohmann::json& v) {
  return v.is_null() ? "(absent)" : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A pointer as HTML with a line-break opportunity before each inner "/", so that long pointers wrap
// between segments instead of widening the table or breaking inside a name.
std::string pointer_html(const std::string& pointer) {
  const std::string text = html_escape(display_pointer(pointer));
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '/' && i > 0) out += "<wbr>";
    out.push_back(text[i]);
  }
  return out;
}

const char* field_class(const FieldStats& f) {
  if (f.noise()) return "noise";
  if (f.expected()) return "expected";
  return "difference";
}

void card(std::ostringstream& out, const char* key, const std::string& value, const std::string& sub,
          const char* cls = "") {
  out << "<div class=\"card\"><div class=\"k\">" << key << "</div><div class=\"v " << cls << "\">" << value
      << "</div><div class=\"s\">" << sub << "</div></div>";
}

void summary_cards(std::ostringstream& out, const Summary& s) {
  out << "<section class=\"cards\" id=\"summary\">";
  card(out, "Exchanges", format_count(s.counts.exchanges),
       format_count(s.routes) + (s.routes == 1 ? " route" : " routes"));
  card(out, "Parity", format_percent(s.counts.parity_rate()),
       format_count(s.counts.match) + " match · " + format_count(s.counts.expected) + " expected",
       s.counts.parity_rate() >= 0.999 ? "good" : "bad");
  card(out, "Mismatch", format_count(s.counts.mismatch), format_percent(s.counts.mismatch_rate()) + " of exchanges",
       s.counts.mismatch ? "bad" : "");
  card(out, "Errors", format_count(s.counts.error), format_percent(s.counts.error_rate()) + " shadow errors",
       s.counts.error ? "bad" : "");
  card(out, "Legacy p99", format_percentile_ms(s.legacy_latency, 99) + " ms",
       "p50 " + format_percentile_ms(s.legacy_latency, 50) + " ms");
  card(out, "Candidate p99", format_percentile_ms(s.candidate_latency, 99) + " ms",
       "p50 " + format_percentile_ms(s.candidate_latency, 50) + " ms");
  out << "</section>";
}

void routes_table(std::ostringstream& out, const std::vector<RouteStats>& routes) {
  out << "<section id=\"routes\"><h2>Routes</h2><div class=\"toolbar\"><input id=\"route-filter\" type=\"search\" "
         "placeholder=\"Filter routes\" aria-label=\"Filter routes\"><button id=\"download-json\" type=\"button\">"
         "Download JSON</button></div>"
         "<table class=\"sortable\"><thead><tr><th>Route</th><th class=\"n\">Exchanges</th><th class=\"n\">Match</th>"
         "<th class=\"n\">Expected</th><th class=\"n\">Mismatch</th><th class=\"n\">Error</th>"
         "<th class=\"n\">Parity</th><th class=\"n\">Legacy p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th>"
         "<th class=\"n\">Candidate p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th></tr></thead><tbody>";
  for (const auto& r : routes) {
    const std::string label = html_escape(route_label(r));
    out << "<tr data-route=\"" << label << "\"><td><code>" << label << "</code></td>" << count_cell(r.counts.exchanges)
        << count_cell(r.counts.match) << count_cell(r.counts.expected) << count_cell(r.counts.mismatch)
        << count_cell(r.counts.error) << share_cell(r.counts.parity_rate(), true) << ms_cell(r.legacy_latency, 50)
        << ms_cell(r.legacy_latency, 95) << ms_cell(r.legacy_latency, 99) << ms_cell(r.candidate_latency, 50)
        << ms_cell(r.candidate_latency, 95) << ms_cell(r.candidate_latency, 99) << "</tr>";
  }
  out << "</tbody></table><p class=\"note\">Parity counts exchanges that matched or whose differences are all "
         "expected (error format) or noise. Latencies in ms. Click a column to sort.</p></section>";
}

void route_details(std::ostringstream& out, const RouteStats& r, std::size_t top_fields) {
  const std::string label = html_escape(route_label(r));
  const bool has_real = std::any_of(r.fields.begin(), r.fields.end(), is_real_difference);
  out << "<details data-route=\"" << label << "\"" << (has_real ? " open" : "") << "><summary><h3><code>" << label
      << "</code></h3><span class=\"s\">" << format_count(r.counts.exchanges) << " exchanges · "
      << format_percent(r.counts.parity_rate()) << " parity · " << format_count(r.fields.size())
      << (r.fields.size() == 1 ? " differing field" : " differing fields") << "</span></summary><div class=\"route-body\"><div>";
  if (r.fields.empty()) {
    out << "<p class=\"empty\">No differing fields.</p>";
  } else {
    out << "<table class=\"sortable\"><thead><tr><th>Field</th><th>Kind</th><th class=\"n\">Count</th>"
           "<th class=\"n\">Share</th><th>Class</th><th>Examples (legacy → candidate)</th></tr></thead><tbody>";
    const std::size_t shown = std::min(r.fields.size(), top_fields);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& f = r.fields[i];
      const double share =
          r.counts.exchanges ? static_cast<double>(f.count) / static_cast<double>(r.counts.exchanges) : 0;
      out << "<tr><td><code>" << pointer_html(f.pointer) << "</code></td><td>" << compare::to_string(f.kind) << "</td>"
          << count_cell(f.count) << share_cell(share, false) << "<td><span class=\"badge "
          << field_class(f) << "\">" << field_class(f) << "</span></td><td><ul class=\"examples\">";
      for (const auto& e : f.examples) {
        out << "<li>";
        if (e.pointer != f.pointer) out << "<code>" << pointer_html(e.pointer) << "</code>: ";
        out << "<code>" << html_escape(json_text(e.legacy)) << "</code> → <code>"
            << html_escape(json_text(e.candidate)) << "</code></li>";
      }
      out << "</ul></td></tr>";
    }
    out << "</tbody></table>";
    if (r.fields.size() > shown) {
      out << "<p class=\"note\">…and " << format_count(r.fields.size() - shown)
          << " more fields (parity report --format json lists them all).</p>";
    }
    if (r.fields_overflow > 0) {
      out << "<p class=\"note\">" << format_count(r.fields_overflow)
          << " further differences at fields beyond the tracked limit.</p>";
    }
  }
  out << "</div><div>" << svg_percentile_curves(r.legacy_latency, r.candidate_latency, 380, 220) << "</div></div></details>";
}

std::vector<FieldBar> top_field_bars(const std::vector<RouteStats>& routes) {
  struct Ranked {
    FieldBar bar;
    bool real;
  };
  std::vector<Ranked> all;
  for (const auto& r : routes) {
    for (const auto& f : r.fields) {
      FieldBar bar{route_label(r) + " · " + display_pointer(f.pointer), std::string(compare::to_string(f.kind)), f.count,
                   f.noise() ? FieldBar::Class::noise
                   : f.expected() ? FieldBar::Class::expected
                                  : FieldBar::Class::difference};
      all.push_back({std::move(bar), is_real_difference(f)});
    }
  }
  // Real differences first: a timestamp that differs on every call should not hide them.
  std::stable_sort(all.begin(), all.end(), [](const Ranked& a, const Ranked& b) {
    if (a.real != b.real) return a.real;
    return a.bar.count > b.bar.count;
  });
  std::vector<FieldBar> bars;
  for (std::size_t i = 0; i < all.size() && i < kChartFields; ++i) bars.push_back(std::move(all[i].bar));
  return bars;
}

}  // namespace

std::string render_html(const Aggregate& aggregate, const RenderOptions& options) {
  const auto& s = aggregate.summary();
  auto routes = aggregate.routes();
  sort_worst_first(routes);
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>Parity report</title><script>"
      << kErrorHook << "</script><style>" << kStyle << "</style></head><body>";

  out << "<header><h1>Parity report</h1><div class=\"meta\">";
  if (!s.first_ts.empty()) out << html_escape(s.first_ts) << " → " << html_escape(s.last_ts);
  for (const auto& [side, n] : s.served_by) out << " · served by " << html_escape(side) << ": " << format_count(n);
  if (!options.source.empty()) out << " · <code>" << html_escape(options.source) << "</code>";
  if (options.malformed > 0) {
    out << " · " << format_count(options.malformed) << (options.malformed == 1 ? " malformed line" : " malformed lines")
        << " skipped";
  }
  if (!options.generated_at.empty()) out << " · generated " << html_escape(options.generated_at);
  out << "</div></header><main>";

  summary_cards(out, s);
  if (routes.empty()) {
    out << "<section><p class=\"empty\">No exchanges recorded yet.</p></section>";
  } else {
    out << "<section id=\"verdicts\"><h2>Verdicts by route</h2>" << svg_verdict_bars(routes) << "</section>";
    const auto bars = top_field_bars(routes);
    out << "<section id=\"fields\"><h2>Top differing fields</h2>";
    if (bars.empty()) {
      out << "<p class=\"empty\">No differing fields.</p>";
    } else {
      out << svg_field_bars(bars);
    }
    out << "</section><section id=\"latency\"><h2>Latency by percentile, all routes</h2>"
        << svg_percentile_curves(s.legacy_latency, s.candidate_latency, 960, 320) << "</section>";
    routes_table(out, routes);
    out << "<section id=\"details\"><h2>Route details</h2>";
    for (const auto& r : routes) route_details(out, r, options.top_fields);
    out << "</section>";
  }
  out << "</main><script type=\"application/json\" id=\"parity-data\">"
      << json_for_script(render_json(aggregate, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      << "</script><script>" << kScript << "</script></body></html>\n";
  return out.str();
}

}  // namespace parity::report
