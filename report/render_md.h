#pragma once
// The report as Markdown tables for a pull request: the summary, one row per route with parity and
// both sides' latencies side by side, and each route's top differing fields with noise/expected marked.
#include <string>

#include "report/aggregate.h"
#include "report/render_options.h"

namespace parity::report {

std::string render_md(const Aggregate& aggregate, const RenderOptions& options = {});

}  // namespace parity::report
