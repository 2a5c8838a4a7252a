#include "loadgen/runner.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>
#include <map>
#include <thread>

#include "loadgen/driver.h"
#include "loadgen/proc_stats.h"

namespace parity::loadgen {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string now_rfc3339() {
  const std::time_t secs = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string level_label(int concurrency, double rate) {
  char buf[64];
  if (rate > 0) {
    std::snprintf(buf, sizeof buf, "rate=%g/s c=%d", rate, concurrency);
  } else {
    std::snprintf(buf, sizeof buf, "c=%d", concurrency);
  }
  return buf;
}

// Runs one phase on a helper thread while this one draws progress and samples the target's process.
TargetRun measured_phase(const RequestMix& mix, const PhaseSpec& spec, const PhaseInfo& info, int pid,
                         Progress& progress, ProcessUsage* usage) {
  std::string error;
  std::optional<ProcSample> before;
  if (usage) {
    before = sample_process(pid, error);
    if (!before && usage->warning.empty()) usage->warning = error;
  }
  PhaseProgress counters;
  TargetRun run;
  std::thread phase([&] {
    try {
      run = run_phase(mix, spec, counters);
    } catch (const std::exception& e) {  // e.g. out of memory or file descriptors: report, do not terminate
      run = TargetRun{};
      run.error = std::string("the load generator failed: ") + e.what();
    }
  });
  const auto start = SteadyClock::now();
  // The phase thread ends on its own; poll until it has (join below), sampling every 100 ms.
  while (true) {
    const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
    progress.tick(info, elapsed, counters.done.load(), counters.errors.load());
    if (usage && before) {
      if (auto s = sample_process(pid, error)) usage->peak_rss_bytes = std::max(usage->peak_rss_bytes, s->rss_bytes);
    }
    if (elapsed >= info.seconds) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  phase.join();
  if (usage && before) {
    if (auto after = sample_process(pid, error)) {
      usage->cpu_seconds += after->cpu_seconds - before->cpu_seconds;
      usage->peak_rss_bytes = std::max(usage->peak_rss_bytes, after->rss_bytes);
    } else if (usage->warning.empty()) {
      usage->warning = error + " (CPU and RSS figures are partial)";
    }
  }
  progress.finished(info, run);
  return run;
}

}  // namespace

BenchResults run_bench(const BenchPlan& plan, const RequestMix& mix, Progress& progress) {
  BenchResults results;
  results.mode = plan.rate > 0 ? "open" : "closed";
  results.duration_s = static_cast<double>(plan.duration.count()) / 1000.0;
  results.warmup_s = static_cast<double>(plan.warmup.count()) / 1000.0;
  results.rounds = std::max(1, plan.rounds);
  results.threads = plan.threads;
  results.requests_source = plan.requests_source;
  results.endpoints = mix.endpoints();
  results.started_at = now_rfc3339();

  // Reachability first: an unreachable target is reported once and skipped; the others still run.
  std::map<std::string, std::string> unreachable;
  for (const auto& t : plan.targets) {
    if (auto error = probe(mix, t.backend); !error.empty()) {
      unreachable[t.name] = error;
      results.warnings.push_back(t.name + " (" + t.backend.url + ") is unreachable: " + error +
                                 "; it is left out of the results");
      progress.message("warning: " + results.warnings.back());
    }
  }

  const auto round_ms = std::chrono::milliseconds(std::max<std::int64_t>(1, plan.duration.count() / results.rounds));
  for (const int concurrency : plan.concurrency) {
    Level level;
    level.concurrency = concurrency;
    level.rate = plan.rate;
    const std::string label = level_label(concurrency, plan.rate);
    std::vector<ProcessUsage> usage(plan.targets.size());
    for (const auto& t : plan.targets) {
      TargetRun run;
      run.target = t.name;
      run.url = t.backend.url;
      if (auto it = unreachable.find(t.name); it != unreachable.end()) run.error = it->second;
      level.targets.push_back(run);
    }
    auto spec_for = [&](const TargetSpec& t, std::chrono::milliseconds duration, std::uint64_t salt) {
      PhaseSpec spec;
      spec.backend = t.backend;
      spec.connections = concurrency;
      spec.rate = plan.rate;
      spec.duration = duration;
      spec.threads = plan.threads;
      spec.seed = plan.seed + salt;
      return spec;
    };
    if (plan.warmup.count() > 0) {
      for (std::size_t i = 0; i < plan.targets.size(); ++i) {
        if (unreachable.count(plan.targets[i].name)) continue;
        PhaseInfo info{plan.targets[i].name, label, "warm-up", results.warmup_s};
        measured_phase(mix, spec_for(plan.targets[i], plan.warmup, 7919), info, 0, progress, nullptr);
      }
    }
    for (int round = 0; round < results.rounds; ++round) {
      for (std::size_t k = 0; k < plan.targets.size(); ++k) {
        const std::size_t i = (k + static_cast<std::size_t>(round)) % plan.targets.size();
        const auto& t = plan.targets[i];
        if (unreachable.count(t.name)) continue;
        PhaseInfo info{t.name, label, "round " + std::to_string(round + 1) + "/" + std::to_string(results.rounds),
                       static_cast<double>(round_ms.count()) / 1000.0};
        auto run = measured_phase(mix, spec_for(t, round_ms, static_cast<std::uint64_t>(round) * 131 + i), info, t.pid,
                                  progress, t.pid > 0 ? &usage[i] : nullptr);
        if (!run.measured) {
          level.targets[i].error = run.error;
          continue;
        }
        level.targets[i].measured = true;
        level.targets[i].merge(run);
      }
    }
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
      if (plan.targets[i].pid > 0 && level.targets[i].measured) {
        usage[i].pid = plan.targets[i].pid;
        if (!usage[i].warning.empty()) {
          results.warnings.push_back(plan.targets[i].name + " pid " + std::to_string(usage[i].pid) + ": " +
                                     usage[i].warning);
        }
        level.targets[i].process = usage[i];
      }
      const auto& run = level.targets[i];
      if (run.measured && run.overall.requests > 0 && run.overall.responses == 0) {
        results.warnings.push_back(run.target + " at " + label + ": no request got a response (" +
                                   std::to_string(run.overall.error_count()) + " errors)");
      } else if (run.measured && run.overall.error_rate() > 0) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s at %s: %.1f%% of the requests failed", run.target.c_str(), label.c_str(),
                      run.overall.error_rate() * 100);
        results.warnings.push_back(buf);
      }
    }
    results.levels.push_back(std::move(level));
  }
  return results;
}

}  // namespace parity::loadgen
