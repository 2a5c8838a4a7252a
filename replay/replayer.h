#pragma once
// `parity replay`'s engine: sends each recorded request to legacy and to the candidate on one event
// loop through the shared async client (gateway/upstream), then compares and records the pair with
// the live path's ExchangeRecorder, so replay records have the same shape and `parity report` reads
// them like live ones. Legacy is the served side of every replayed exchange.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compare/verdict_counts.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/http_message.h"
#include "shadow/exchange_recorder.h"
#include "store/traffic_file.h"

namespace parity::replay {

struct ReplayJob {
  std::vector<store::TrafficRequest> requests;
  // Compare rules, store.sample_bytes/redact_headers, and the two backends (url, ca, timeouts).
  std::shared_ptr<const config::Config> config;
  std::size_t concurrency = 8;       // lanes sent at once
  double speed = 0;                  // 0 = as fast as possible, 1 = recorded pacing, 2 = twice as fast
  bool keep_order = false;           // one lane per client
  Headers extra_headers;             // set on every request (e.g. a test Authorization)
  std::size_t max_body = 1 << 20;    // response bytes kept per side for the diff
  std::uint64_t seed = 1;            // noise resampling draws
};

struct ReplayProgress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::uint64_t mismatch = 0;
  std::uint64_t error = 0;
};

struct ReplaySummary {
  compare::VerdictCounts verdicts;         // exchanges = requests replayed
  std::uint64_t skipped_truncated = 0;     // captured with a truncated body: not sent
  std::map<std::string, std::uint64_t> side_failures;  // "legacy: connect: …" → count
};

// Runs the whole job (blocks). Returns false with `error` when it cannot start (TLS settings).
bool run_replay(const ReplayJob& job, shadow::ExchangeRecorder& recorder, const Clock& clock,
                const std::function<void(const ReplayProgress&)>& on_progress, ReplaySummary& summary,
                std::string& error);

}  // namespace parity::replay
