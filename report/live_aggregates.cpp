#include "report/live_aggregates.h"

#include "report/render_json.h"
#include "report/render_prometheus.h"

namespace parity::report {

LiveAggregates::LiveAggregates(AggregateOptions options, std::size_t prometheus_top_fields)
    : aggregate_(options), prometheus_top_fields_(prometheus_top_fields) {}

void LiveAggregates::add(const store::Record& record) {
  std::lock_guard lock(mutex_);
  aggregate_.add(record);
}

Aggregate LiveAggregates::snapshot() const {
  std::lock_guard lock(mutex_);
  return aggregate_;
}

// Rendering happens under the lock rather than on a snapshot: copying every route's histograms
// (two per route) per scrape would cost more than the rendering itself.
std::string LiveAggregates::to_prometheus() const {
  std::lock_guard lock(mutex_);
  return render_prometheus(aggregate_, prometheus_top_fields_);
}

nlohmann::json LiveAggregates::to_json() const {
  RenderOptions options;
  options.histograms = true;
  std::lock_guard lock(mutex_);
  return render_json(aggregate_, options);
}

}  // namespace parity::report
