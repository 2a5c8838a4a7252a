#pragma once
// Error-format templates (compare.error_formats): a declared pair of error shapes, the legacy one and
// its new equivalent, e.g.
//   legacy:    {"detail": "$message"}
//   candidate: {"error": {"message": "$message", "type": "*"}}
// Template language, matched against a parsed body:
//   "$name"   binds the value found there (any JSON value); a name bound twice must bind equal values
//   "*"       any value, but the field must be present
//   "$$text"  the literal string "$text"
//   objects   the body object must have exactly the template's keys (no missing, no extra fields)
//   arrays    same length, element by element
//   else      equal (numbers by value, strings exactly)
// A format explains an exchange when the legacy body matches its legacy template, the candidate body its
// candidate template, and every binding is equal on both sides.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compare/rules.h"

namespace parity::compare {

using Bindings = std::map<std::string, nlohmann::json>;

// The bindings when `value` matches `tmpl`, else nullopt.
std::optional<Bindings> match_template(const nlohmann::json& tmpl, const nlohmann::json& value);

// Index of the first format that explains this pair of bodies with these statuses. A format that lists
// `statuses` applies only to those (legacy, candidate) pairs; one without applies to any pair.
std::optional<std::size_t> find_error_format(const std::vector<ErrorFormat>& formats, const nlohmann::json& legacy,
                                             const nlohmann::json& candidate, int legacy_status,
                                             int candidate_status);

// True when the two statuses are equal or `format.statuses` lists the pair.
bool explains_status(const ErrorFormat& format, int legacy_status, int candidate_status);

// Problems with one format as (field, reason), field being "legacy", "candidate" or "statuses[i]".
std::vector<std::pair<std::string, std::string>> error_format_errors(const ErrorFormat& format);

}  // namespace parity::compare
