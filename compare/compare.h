#pragma once
// The compare stage: one legacy/candidate pair of responses in, a flat list of differences and a
// verdict out. Plain values only; never throws on malformed input. The rules are documented in
// docs/compare.md.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "compare/difference.h"
#include "compare/noise.h"
#include "compare/rules.h"
#include "core/http_message.h"

namespace parity::compare {

// Differences kept per exchange. Past it, differences are counted in `omitted` and still decide the
// verdict; an unexplained difference displaces an explained one, so the list shows why it mismatched.
inline constexpr std::size_t kMaxDifferences = 200;

struct Comparison {
  std::vector<Difference> differences;
  Verdict verdict = Verdict::match;
  std::size_t omitted = 0;  // differences found beyond kMaxDifferences
};

// Compares status, the headers listed in `rules.headers` and the decoded bodies. With `noise`, fields
// the learner knows as noise on `route` are marked Explained::noise (the caller feeds the learner).
Comparison compare_responses(const HttpResponse& legacy, const HttpResponse& candidate, const Rules& rules,
                             std::string_view route = "", const NoiseLearner* noise = nullptr);

// The comparison of an exchange whose shadow side ("legacy" or "candidate") failed or timed out: one
// shadow_error difference carrying `error` on that side, verdict error.
Comparison shadow_failed(std::string_view side, std::string_view error);

// match, expected, mismatch or error, from the explanations of the differences (see docs/compare.md).
Verdict verdict_of(const std::vector<Difference>& differences);

// {"verdict": ..., "differences": [...], "omitted": n}
nlohmann::json to_json(const Comparison& comparison);

}  // namespace parity::compare
