#pragma once
// Runs a whole benchmark: for each load level, a warm-up per target (discarded), then `rounds` rounds in
// which every target runs duration/rounds in turn, the order rotating each round, so machine noise (other
// processes, CPU frequency, a GC) falls on every target alike. Results are merged over the rounds.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "loadgen/mix.h"
#include "loadgen/progress.h"
#include "loadgen/results.h"

namespace parity::loadgen {

struct TargetSpec {
  std::string name;  // "legacy", "candidate", "gateway"
  config::BackendConfig backend;
  int pid = 0;  // sample CPU and RSS of this process when > 0
};

struct BenchPlan {
  std::vector<TargetSpec> targets;
  std::vector<int> concurrency{10};
  double rate = 0;  // > 0: open-loop at this many requests/s per target
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds warmup{1000};
  int rounds = 2;
  int threads = 1;
  std::uint64_t seed = 1;
  std::string requests_source;
};

// Never throws on network trouble: an unreachable target is reported (measured == false, a warning)
// and the others are still measured.
BenchResults run_bench(const BenchPlan& plan, const RequestMix& mix, Progress& progress);

}  // namespace parity::loadgen
