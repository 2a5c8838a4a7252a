#include "compare/verdict_counts.h"

namespace parity::compare {

void VerdictCounts::add(Verdict verdict) {
  ++exchanges;
  switch (verdict) {
    case Verdict::match: ++match; break;
    case Verdict::expected: ++expected; break;
    case Verdict::mismatch: ++mismatch; break;
    case Verdict::error: ++error; break;
  }
}

}  // namespace parity::compare
