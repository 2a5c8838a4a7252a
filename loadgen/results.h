#pragma once
// The results model of `parity bench`: plain values the drivers fill and the renderers read.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/latency_histogram.h"

namespace parity::loadgen {

// What happened to the requests of one endpoint (or all of them) on one target.
struct Tally {
  LatencyHistogram latency;       // µs, every exchange that got a whole response (any status)
  std::uint64_t requests = 0;     // sent and finished, with a response or a failure
  std::uint64_t responses = 0;    // a whole response arrived
  std::uint64_t status_4xx = 0;   // reported, not errors: a mix may ask for 404s on purpose
  std::uint64_t bytes = 0;        // response body bytes
  // Errors by kind: transport failures ("connect", "tls", "timeout", "reset", "protocol") and "http_5xx".
  std::map<std::string, std::uint64_t> errors;

  void merge(const Tally& other);
  std::uint64_t error_count() const;
  double error_rate() const;  // errors / requests, 0 when nothing was sent
};

// CPU and memory of a target's process (--pid), from /proc over the measured phases.
struct ProcessUsage {
  int pid = 0;
  double cpu_seconds = 0;          // user + system during the measured phases
  std::uint64_t peak_rss_bytes = 0;  // highest resident set size sampled during them
  std::string warning;             // e.g. the process went away; figures are then partial
};

// One target at one load level, merged over the rounds.
struct TargetRun {
  std::string target;  // "legacy", "candidate" or "gateway"
  std::string url;
  bool measured = false;  // false when the target could not be reached: `error` says why
  std::string error;
  double seconds = 0;     // measured wall time, summed over the rounds
  Tally overall;
  std::map<std::string, Tally> endpoints;
  std::optional<ProcessUsage> process;

  double throughput() const { return seconds > 0 ? static_cast<double>(overall.requests) / seconds : 0; }
  void merge(const TargetRun& round);  // adds a round's tallies and time
};

struct Level {
  int concurrency = 0;  // connections (closed-loop: requests in flight)
  double rate = 0;      // open-loop: intended requests per second per target; 0 in closed-loop mode
  std::vector<TargetRun> targets;  // legacy, candidate, gateway: those given, in that order
  const TargetRun* find(std::string_view target) const;
};

struct BenchResults {
  std::string mode = "closed";  // "closed" or "open"
  double duration_s = 0;        // per target and level
  double warmup_s = 0;
  int rounds = 1;
  int threads = 1;
  std::string requests_source;  // the traffic file or the single URL
  std::vector<std::string> endpoints;  // mix order
  std::vector<Level> levels;
  std::vector<std::string> warnings;
  std::string started_at;  // RFC 3339
};

}  // namespace parity::loadgen
