#pragma once
// The report as ONE self-contained HTML file: inline CSS, inline SVG charts (verdicts by route, top
// differing fields, latency by percentile for both sides), the per-route tables, and the JSON report
// embedded for the page's small script (sorting, filtering, JSON download). No network access.
#include <string>

#include "report/aggregate.h"
#include "report/render_options.h"

namespace parity::report {

std::string render_html(const Aggregate& aggregate, const RenderOptions& options = {});

}  // namespace parity::report
