#pragma once
// Hand-made bench results for renderer and threshold tests.
#include "loadgen/results.h"

namespace parity::loadgen::test {

// legacy: 1000 requests in 2 s at 10 ms (p99 40 ms); candidate: 1500 requests at 5 ms (p99 20 ms), 3 resets.
inline TargetRun make_run(const std::string& name, std::uint64_t n, std::int64_t base_us, std::uint64_t resets) {
  TargetRun run;
  run.target = name;
  run.url = "http://127.0.0.1:1/" + name;
  run.measured = true;
  run.seconds = 2.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::int64_t us = i % 100 == 99 ? base_us * 4 : base_us;
    Tally& e = run.endpoints[i % 2 ? "chat <b>" : "models"];
    e.latency.record(us);
    ++e.requests;
    ++e.responses;
    run.overall.latency.record(us);
    ++run.overall.requests;
    ++run.overall.responses;
  }
  if (resets) {
    run.overall.errors["reset"] = resets;
    run.overall.requests += resets;
  }
  return run;
}

inline BenchResults make_results() {
  BenchResults r;
  r.requests_source = "fixtures/requests/openai-mix.jsonl";
  r.duration_s = 2;
  r.warmup_s = 0.5;
  r.rounds = 2;
  r.threads = 2;
  r.endpoints = {"models", "chat <b>"};
  Level level;
  level.concurrency = 10;
  level.targets.push_back(make_run("legacy", 1000, 10000, 0));
  level.targets.push_back(make_run("candidate", 1500, 5000, 3));
  r.levels.push_back(level);
  return r;
}

}  // namespace parity::loadgen::test
