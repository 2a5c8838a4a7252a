#pragma once
// Validation of a `compare:` section, for the config loader and `parity check-config`.
#include <string>
#include <vector>

#include "compare/rules.h"

namespace parity::compare {

struct RuleError {
  std::string key;     // e.g. "compare.ignore[2]", "compare.error_formats[0].legacy"
  std::string reason;
};

// Every problem in `rules` (bad globs, bad error templates, out-of-range numbers); empty when valid.
std::vector<RuleError> validate_rules(const Rules& rules);

}  // namespace parity::compare
