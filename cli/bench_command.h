#pragma once
// parity bench --legacy URL --candidate URL [--gateway URL] (--requests FILE | --url PATH) …: the
// side-by-side load test of the migration (docs/bench.md).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace parity::cli {

struct BenchOptions {
  std::string legacy, candidate, gateway;  // target URLs (at least one)
  std::string requests;                    // traffic file (JSONL): a mix or a gateway capture
  std::string url;                         // or one path (or URL whose path is used): a one-request mix
  std::string concurrency = "10";          // "10,50,100,200": a sweep
  double rate = 0;                         // > 0: open-loop, intended requests/s per target
  std::string duration = "10s";            // per target and level, split over the rounds
  std::string warmup = "1s";               // per target and level, excluded
  int rounds = 2;
  int threads = 0;                         // event loops; 0 = one per core
  std::string timeout = "30s";             // per request
  std::string ca;                          // CA file for https targets
  bool insecure = false;                   // do not verify https targets
  std::vector<std::string> pids;           // "legacy=1234"
  std::string format = "table";            // stdout: table | json | md
  std::string json_out, md_out, html_out;  // files
  std::vector<std::string> fail_if;        // "p99_ratio>1.2"
  std::string progress = "auto";           // auto | bar | lines | none
  std::uint64_t seed = 1;
};

void register_bench_command(CLI::App& app, int& exit_code);

// The command itself, for tests: 0 ok, 1 a --fail-if threshold crossed or a target unreachable (the
// results of the others are still printed and written), 2 usage error (bad option, unreadable mix).
int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err, bool stderr_is_tty);

}  // namespace parity::cli
