#pragma once
// The gateway's running aggregates: records are added as they are stored, and /metrics and the
// admin API read them while traffic flows. Thread-safe (one mutex around an Aggregate).
#include <cstddef>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "report/aggregate.h"

namespace parity::report {

class LiveAggregates {
 public:
  // `prometheus_top_fields`: the fields per route exported with their own labels (cardinality cap).
  explicit LiveAggregates(AggregateOptions options = {}, std::size_t prometheus_top_fields = 20);

  void add(const store::Record& record);
  Aggregate snapshot() const;
  std::string to_prometheus() const;
  // The JSON report (render_json) with each serialised histogram, so that the reports of several
  // gateway instances can be merged.
  nlohmann::json to_json() const;

 private:
  mutable std::mutex mutex_;
  Aggregate aggregate_;
  const std::size_t prometheus_top_fields_;
};

}  // namespace parity::report
