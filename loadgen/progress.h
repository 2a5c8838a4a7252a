#pragma once
// Progress of a bench run on stderr: a bar redrawn in place on a terminal, one plain line per finished
// phase otherwise (CI logs, pipes).
#include <cstdint>
#include <ostream>
#include <string>

#include "loadgen/results.h"

namespace parity::loadgen {

struct PhaseInfo {
  std::string target;
  std::string level;  // "c=10" or "rate=500/s c=16"
  std::string stage;  // "warm-up" or "round 1/3"
  double seconds = 0;
};

class Progress {
 public:
  Progress(std::ostream& out, bool tty) : out_(out), tty_(tty) {}
  void tick(const PhaseInfo& phase, double elapsed_s, std::uint64_t done, std::uint64_t errors);
  void finished(const PhaseInfo& phase, const TargetRun& run);
  void message(const std::string& line);

 private:
  std::ostream& out_;
  bool tty_;
  bool bar_shown_ = false;
};

}  // namespace parity::loadgen
