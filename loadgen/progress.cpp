#include "loadgen/progress.h"

#include <algorithm>
#include <cstdio>

namespace parity::loadgen {

void Progress::tick(const PhaseInfo& phase, double elapsed_s, std::uint64_t done, std::uint64_t errors) {
  if (!tty_) return;
  constexpr int kWidth = 24;
  const double share = phase.seconds > 0 ? std::clamp(elapsed_s / phase.seconds, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(share * kWidth);
  char line[256];
  std::snprintf(line, sizeof line, "\r%-9s %-16s %-10s [%s%s] %3.0f%%  %llu req  %llu err\x1b[K", phase.target.c_str(),
                phase.level.c_str(), phase.stage.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(), share * 100,
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(errors));
  out_ << line << std::flush;
  bar_shown_ = true;
}

void Progress::finished(const PhaseInfo& phase, const TargetRun& run) {
  if (tty_ && bar_shown_) out_ << "\r\x1b[K";
  bar_shown_ = false;
  if (tty_ && phase.stage == "warm-up") return;
  char line[256];
  std::snprintf(line, sizeof line, "%s %s %s: %llu requests in %.1f s (%.0f req/s), %llu errors", phase.target.c_str(),
                phase.level.c_str(), phase.stage.c_str(), static_cast<unsigned long long>(run.overall.requests),
                run.seconds, run.throughput(), static_cast<unsigned long long>(run.overall.error_count()));
  out_ << line << "\n" << std::flush;
}

void Progress::message(const std::string& line) {
  if (tty_ && bar_shown_) out_ << "\r\x1b[K";
  bar_shown_ = false;
  out_ << line << "\n" << std::flush;
}

}  // namespace parity::loadgen
