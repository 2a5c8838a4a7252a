#pragma once
// The load drivers: one phase against one target, on `threads` event loops (one io_context each, with
// its own upstream::Pool), `connections` coroutine workers spread over them.
// - closed-loop (rate == 0): each worker sends its next request when the previous one finished;
// - open-loop (rate > 0): worker k sends its n-th request at the intended time start + (k + n·C)/rate and
//   latency counts from that intended time, so a stall delays (and shows in) every request queued behind
//   it instead of silently lowering the send rate (coordinated omission, as in wrk2).
// Each phase first opens its connections (one uncounted request each), so set-up cost and connect bursts
// stay out of the figures. Asio stays in driver.cpp.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "loadgen/mix.h"
#include "loadgen/results.h"

namespace parity::loadgen {

struct PhaseSpec {
  config::BackendConfig backend;  // url + parsed, ca, verify, timeouts
  int connections = 1;
  double rate = 0;  // requests per second over all connections; 0 = closed-loop
  std::chrono::milliseconds duration{1000};
  int threads = 1;
  std::uint64_t seed = 1;
};

struct PhaseProgress {
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> errors{0};
};

// Runs one phase (blocks for about spec.duration). Network trouble is counted in the tallies, never
// thrown; returns a run with measured == false and `error` set only when the phase cannot start
// (e.g. the TLS context cannot be built).
TargetRun run_phase(const RequestMix& mix, const PhaseSpec& spec, PhaseProgress& progress);

// Sends the mix's first request once: "" when a response came back (any status), else why not.
std::string probe(const RequestMix& mix, const config::BackendConfig& backend);

}  // namespace parity::loadgen
