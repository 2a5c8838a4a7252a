#include "report/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/escape.h"
#include "report/format.h"
#include "report/presentation.h"

namespace parity::report {
namespace {

constexpr const char* kMatchColor = "#59a14f";
constexpr const char* kExpectedColor = "#76b7b2";
constexpr const char* kMismatchColor = "#e15759";
constexpr const char* kErrorColor = "#b07aa1";
constexpr const char* kNoiseColor = "#bab0ac";
constexpr const char* kLegacyColor = "#4e79a7";
constexpr const char* kCandidateColor = "#f28e2b";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Shortens a label for display (by UTF-8 code points, so a character is never cut in half).
std::string ellipsize(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++chars > max_chars) return s.substr(0, i) + "…";
  }
  return s;
}

void legend(std::ostringstream& out, double x, double y, const std::vector<std::pair<const char*, const char*>>& items) {
  for (const auto& [name, color] : items) {
    out << "<rect x=\"" << num(x) << "\" y=\"" << num(y - 9) << "\" width=\"10\" height=\"10\" rx=\"2\" fill=\"" << color
        << "\"/><text x=\"" << num(x + 14) << "\" y=\"" << num(y) << "\" class=\"legend\">" << name << "</text>";
    x += 14 + 8.0 * static_cast<double>(std::string(name).size()) + 18;
  }
}

// A round upper bound for an axis: 1, 2, 2.5, 5 × 10^k.
double nice_ceiling(double v) {
  if (!(v > 0)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (v <= step * magnitude * (1 + 1e-9)) return step * magnitude;
  }
  return 10 * magnitude;
}

}  // namespace

std::string svg_verdict_bars(const std::vector<RouteStats>& routes) {
  constexpr double kWidth = 960, kLabel = 300, kBar = 460, kRow = 26, kTop = 34;
  const double height = kTop + kRow * static_cast<double>(routes.size()) + 8;
  std::ostringstream out;
  out << "<svg class=\"chart\" viewBox=\"0 0 " << num(kWidth) << " " << num(height)
      << "\" role=\"img\" aria-label=\"Verdicts by route\" xmlns=\"http://www.w3.org/2000/svg\">";
  legend(out, kLabel, 16,
         {{"match", kMatchColor}, {"expected", kExpectedColor}, {"mismatch", kMismatchColor}, {"error", kErrorColor}});
  double y = kTop;
  for (const auto& r : routes) {
    const std::string label = route_label(r);
    out << "<g class=\"bar-row\"><text x=\"" << num(kLabel - 10) << "\" y=\"" << num(y + 16)
        << "\" text-anchor=\"end\" class=\"label\"><title>" << html_escape(label) << "</title>"
        << html_escape(ellipsize(label, 40)) << "</text>";
    double x = kLabel;
    const auto total = static_cast<double>(std::max<std::uint64_t>(r.counts.exchanges, 1));
    const std::pair<const char*, std::uint64_t> parts[] = {{"match", r.counts.match},
                                                           {"expected", r.counts.expected},
                                                           {"mismatch", r.counts.mismatch},
                                                           {"error", r.counts.error}};
    const char* colors[] = {kMatchColor, kExpectedColor, kMismatchColor, kErrorColor};
    for (std::size_t i = 0; i < 4; ++i) {
      if (parts[i].second == 0) continue;
      const double w = kBar * static_cast<double>(parts[i].second) / total;
      out << "<rect x=\"" << num(x) << "\" y=\"" << num(y + 3) << "\" width=\"" << num(w)
          << "\" height=\"18\" fill=\"" << colors[i] << "\"><title>" << html_escape(label) << " — " << parts[i].first
          << ": " << format_count(parts[i].second) << " ("
          << format_percent(static_cast<double>(parts[i].second) / total) << ")</title></rect>";
      x += w;
    }
    out << "<text x=\"" << num(kLabel + kBar + 10) << "\" y=\"" << num(y + 16) << "\" class=\"value\">"
        << format_percent(r.counts.mismatch_rate()) << " mismatch";
    if (r.counts.error > 0) out << ", " << format_percent(r.counts.error_rate()) << " error";
    out << "</text></g>";
    y += kRow;
  }
  out << "</svg>";
  return out.str();
}

std::string svg_field_bars(const std::vector<FieldBar>& bars) {
  constexpr double kWidth = 960, kLabel = 420, kBar = 440, kRow = 24, kTop = 34;
  const double height = kTop + kRow * static_cast<double>(bars.size()) + 8;
  std::uint64_t most = 1;
  for (const auto& b : bars) most = std::max(most, b.count);
  std::ostringstream out;
  out << "<svg class=\"chart\" viewBox=\"0 0 " << num(kWidth) << " " << num(height)
      << "\" role=\"img\" aria-label=\"Top differing fields\" xmlns=\"http://www.w3.org/2000/svg\">";
  legend(out, kLabel, 16, {{"difference", kMismatchColor}, {"expected", kExpectedColor}, {"noise", kNoiseColor}});
  double y = kTop;
  for (const auto& b : bars) {
    const char* color = b.cls == FieldBar::Class::noise      ? kNoiseColor
                        : b.cls == FieldBar::Class::expected ? kExpectedColor
                                                             : kMismatchColor;
    const char* cls = b.cls == FieldBar::Class::noise ? "noise" : b.cls == FieldBar::Class::expected ? "expected" : "difference";
    const double w = std::max(1.0, kBar * static_cast<double>(b.count) / static_cast<double>(most));
    out << "<g><text x=\"" << num(kLabel - 10) << "\" y=\"" << num(y + 15) << "\" text-anchor=\"end\" class=\"label\"><title>"
        << html_escape(b.label) << " (" << html_escape(b.kind) << ")</title>" << html_escape(ellipsize(b.label, 58))
        << "</text><rect x=\"" << num(kLabel) << "\" y=\"" << num(y + 3) << "\" width=\"" << num(w)
        << "\" height=\"16\" fill=\"" << color << "\"><title>" << html_escape(b.label) << " — " << html_escape(b.kind)
        << ", " << cls << ": " << format_count(b.count) << "</title></rect><text x=\"" << num(kLabel + w + 6)
        << "\" y=\"" << num(y + 15) << "\" class=\"value\">" << format_count(b.count) << " · " << html_escape(b.kind)
        << "</text></g>";
    y += kRow;
  }
  out << "</svg>";
  return out.str();
}

std::string svg_percentile_curves(const LatencyHistogram& legacy, const LatencyHistogram& candidate, int width,
                                  int height) {
  const double w = width, h = height;
  constexpr double kLeft = 56, kRight = 16, kTop = 28, kBottom = 34;
  const double plot_w = w - kLeft - kRight, plot_h = h - kTop - kBottom;
  // x = log10(1 / (1 - q)): 0 at the median's left end, 1 at 90%, 2 at 99% … up to what the counts support.
  const auto most = std::max(legacy.count(), candidate.count());
  const int x_max = std::clamp(static_cast<int>(std::ceil(std::log10(static_cast<double>(std::max<std::uint64_t>(most, 10))))), 1, 4);
  const double y_max = nice_ceiling(us_to_ms(std::max(legacy.max(), candidate.max())));
  auto px = [&](double x) { return kLeft + plot_w * x / x_max; };
  auto py = [&](double ms) { return kTop + plot_h * (1 - std::min(ms, y_max) / y_max); };

  std::ostringstream out;
  out << "<svg class=\"chart curve\" viewBox=\"0 0 " << width << " " << height
      << "\" role=\"img\" aria-label=\"Latency by percentile\" xmlns=\"http://www.w3.org/2000/svg\">";
  legend(out, kLeft, 16, {{"legacy", kLegacyColor}, {"candidate", kCandidateColor}});
  for (int i = 0; i <= 4; ++i) {  // horizontal grid and y labels
    const double ms = y_max * i / 4;
    out << "<line x1=\"" << num(kLeft) << "\" x2=\"" << num(w - kRight) << "\" y1=\"" << num(py(ms)) << "\" y2=\""
        << num(py(ms)) << "\" class=\"grid\"/><text x=\"" << num(kLeft - 6) << "\" y=\"" << num(py(ms) + 4)
        << "\" text-anchor=\"end\" class=\"tick\">" << (i == 0 ? "0" : format_ms(ms)) << "</text>";
  }
  const char* x_labels[] = {"0%", "90%", "99%", "99.9%", "99.99%"};
  for (int x = 0; x <= x_max; ++x) {
    out << "<line x1=\"" << num(px(x)) << "\" x2=\"" << num(px(x)) << "\" y1=\"" << num(kTop) << "\" y2=\""
        << num(kTop + plot_h) << "\" class=\"grid\"/><text x=\"" << num(px(x)) << "\" y=\"" << num(h - kBottom + 16)
        << "\" text-anchor=\"middle\" class=\"tick\">" << x_labels[x] << "</text>";
  }
  out << "<text x=\"" << num(kLeft + plot_w / 2) << "\" y=\"" << num(h - 4)
      << "\" text-anchor=\"middle\" class=\"axis\">percentile</text><text x=\"12\" y=\"" << num(kTop + plot_h / 2)
      << "\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 12 " << num(kTop + plot_h / 2)
      << ")\">ms</text>";

  const std::pair<const char*, const LatencyHistogram*> sides[] = {{"legacy", &legacy}, {"candidate", &candidate}};
  const char* colors[] = {kLegacyColor, kCandidateColor};
  for (std::size_t s = 0; s < 2; ++s) {
    const auto& hist = *sides[s].second;
    if (hist.empty()) continue;
    out << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colors[s] << "\" points=\"";
    constexpr int kSteps = 80;
    for (int i = 0; i <= kSteps; ++i) {
      const double x = static_cast<double>(x_max) * i / kSteps;
      const double q = 1 - std::pow(10.0, -x);
      out << num(px(x)) << "," << num(py(us_to_ms(hist.percentile(q * 100)))) << " ";
    }
    out << "\"/>";
    for (double p : {50.0, 95.0, 99.0}) {
      const double x = -std::log10(1 - p / 100);
      if (x > x_max) continue;
      const double ms = us_to_ms(hist.percentile(p));
      out << "<circle cx=\"" << num(px(x)) << "\" cy=\"" << num(py(ms)) << "\" r=\"3.5\" fill=\"" << colors[s]
          << "\"><title>" << sides[s].first << " p" << p << ": " << format_ms(ms) << " ms</title></circle>";
    }
  }
  if (legacy.empty() && candidate.empty()) {
    out << "<text x=\"" << num(kLeft + plot_w / 2) << "\" y=\"" << num(kTop + plot_h / 2)
        << "\" text-anchor=\"middle\" class=\"tick\">no latencies recorded</text>";
  }
  out << "</svg>";
  return out.str();
}

}  // namespace parity::report
