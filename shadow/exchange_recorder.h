#pragma once
// Turns a completed exchange into a comparison and a record: diffs legacy against candidate with the
// snapshot's rules, feeds the noise learner, redacts, and hands the record to the sink and the live
// aggregates. Runs on the diff workers, never on an event loop. Thread-safe.
#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "compare/compare.h"
#include "compare/noise.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "report/live_aggregates.h"
#include "shadow/exchange.h"
#include "store/record.h"
#include "store/record_sink.h"

namespace parity::shadow {

struct RecorderDeps {
  store::RecordSink* sink = nullptr;            // may be null (nothing stored)
  report::LiveAggregates* live = nullptr;       // may be null
  MetricsRegistry* metrics = nullptr;
  std::string instance;
};

class ExchangeRecorder {
 public:
  explicit ExchangeRecorder(RecorderDeps deps);

  // Compares, records and returns the record (for tests).
  store::Record record(const CompletedExchange& exchange);
  const compare::NoiseLearner& noise() const { return noise_; }

 private:
  RecorderDeps deps_;
  compare::NoiseLearner noise_;
};

// The record of an exchange and its comparison, with secrets redacted and a bounded body sample
// for mismatches (pure: no learner, no sink).
store::Record make_record(const CompletedExchange& exchange, const compare::Comparison& comparison,
                          const std::string& instance);

}  // namespace parity::shadow
