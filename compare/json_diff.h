#pragma once
// Structural comparison of two JSON values, flattened to a list of differences keyed by JSON Pointer.
//
// - Objects: key order never matters. A key only in legacy is `missing`, only in candidate `extra`.
// - Numbers: two integers compare exactly (ids must not be rounded); otherwise both are compared as
//   doubles, equal when |a - b| <= tolerance * max(1, |a|, |b|): absolute below magnitude 1, relative
//   above it. So 1 and 1.0 are equal.
// - Strings, booleans and null compare exactly; values of different JSON types are one `type` difference.
// - Ordered arrays of different length: one `array_length` difference at the array, plus the differences
//   of the common prefix (elements past it are not listed one by one: after an insertion they would all
//   differ).
// - Arrays matched by an `unordered` glob are multisets: elements are paired by canonical equality
//   first (ignoring `ignore` and `volatile_fields` places), then the rest by fewest differences; each
//   pair is diffed at the legacy element's pointer, unpaired legacy elements are `missing`, unpaired
//   candidate elements `extra` (at the candidate's index), and a size change adds `array_length`.
// - Places covered by an `ignore` glob are skipped entirely: no difference is produced there.
// Inputs deeper than kMaxJsonDepth (see json_parse.h) yield a `body` difference, never a crash.
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "compare/difference.h"
#include "compare/pointer_glob.h"

namespace parity::compare {

struct JsonDiffOptions {
  double number_tolerance = 1e-9;
  std::vector<PointerGlob> ignore;
  std::vector<PointerGlob> unordered;
  // Places expected to differ (declared noise): left out when pairing unordered elements, still diffed.
  std::vector<PointerGlob> volatile_fields;
};

using DifferenceSink = std::function<void(Difference&&)>;

// Calls `sink` once per difference, in document order (legacy keys, then candidate-only keys).
void diff_json(const nlohmann::json& legacy, const nlohmann::json& candidate, const JsonDiffOptions& options,
               const DifferenceSink& sink);

std::vector<Difference> diff_json(const nlohmann::json& legacy, const nlohmann::json& candidate,
                                  const JsonDiffOptions& options = {});

// The number equality described above; false when either value is not a number.
bool numbers_equal(const nlohmann::json& a, const nlohmann::json& b, double tolerance);

}  // namespace parity::compare
