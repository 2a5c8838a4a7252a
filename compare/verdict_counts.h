#pragma once
// How many exchanges got each verdict: the report's summary and route rows, and `parity replay`'s
// closing line, count the same way.
#include <cstdint>

#include "compare/difference.h"

namespace parity::compare {

struct VerdictCounts {
  std::uint64_t exchanges = 0;
  std::uint64_t match = 0;
  std::uint64_t expected = 0;
  std::uint64_t mismatch = 0;
  std::uint64_t error = 0;

  void add(Verdict verdict);
  // Shares of all exchanges, 0 when there are none. Parity counts expected exchanges as matching.
  double match_rate() const { return share(match); }
  double parity_rate() const { return share(match + expected); }
  double mismatch_rate() const { return share(mismatch); }
  double error_rate() const { return share(error); }

 private:
  double share(std::uint64_t n) const { return exchanges ? static_cast<double>(n) / static_cast<double>(exchanges) : 0; }
};

}  // namespace parity::compare
