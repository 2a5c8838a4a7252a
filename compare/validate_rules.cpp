#include "compare/validate_rules.h"

#include <cctype>
#include <cmath>
#include <string_view>

#include "compare/error_format.h"
#include "compare/pointer_glob.h"

namespace parity::compare {
namespace {

void check_globs(const std::vector<std::string>& globs, const std::string& key, bool body_only,
                 std::vector<RuleError>& errors) {
  for (std::size_t i = 0; i < globs.size(); ++i) {
    const std::string item = key + "[" + std::to_string(i) + "]";
    std::string reason;
    if (!PointerGlob::parse(globs[i], reason)) {
      errors.push_back({item, "\"" + globs[i] + "\": " + reason});
    } else if (body_only && !globs[i].starts_with("/")) {
      errors.push_back({item, "\"" + globs[i] + "\": names arrays in the body, so it must start with /"});
    }
  }
}

// RFC 9110 token characters.
bool is_header_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    const bool ok = std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                           std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::vector<RuleError> validate_rules(const Rules& rules) {
  std::vector<RuleError> errors;
  check_globs(rules.ignore, "compare.ignore", false, errors);
  check_globs(rules.unordered, "compare.unordered", true, errors);
  check_globs(rules.noise.fields, "compare.noise.fields", false, errors);
  for (std::size_t i = 0; i < rules.headers.size(); ++i) {
    if (!is_header_name(rules.headers[i])) {
      errors.push_back({"compare.headers[" + std::to_string(i) + "]",
                        "\"" + rules.headers[i] + "\" is not a header name"});
    }
  }
  if (!std::isfinite(rules.number_tolerance) || rules.number_tolerance < 0) {
    errors.push_back({"compare.number_tolerance", "must be a number >= 0"});
  }
  for (std::size_t i = 0; i < rules.error_formats.size(); ++i) {
    for (auto& [field, reason] : error_format_errors(rules.error_formats[i])) {
      errors.push_back({"compare.error_formats[" + std::to_string(i) + "]." + field, std::move(reason)});
    }
  }
  if (!std::isfinite(rules.noise.resample_percent) || rules.noise.resample_percent < 0 ||
      rules.noise.resample_percent > 100) {
    errors.push_back({"compare.noise.resample_percent", "must be between 0 and 100"});
  }
  return errors;
}

}  // namespace parity::compare
