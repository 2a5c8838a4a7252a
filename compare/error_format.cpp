#include "compare/error_format.h"

#include <algorithm>
#include <set>

#include "compare/json_parse.h"

namespace parity::compare {
namespace {

using nlohmann::json;

bool is_placeholder_name(std::string_view name) {
  if (name.empty()) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

bool match(const json& tmpl, const json& value, Bindings& bindings, std::size_t depth) {
  if (depth > kMaxJsonDepth) return false;
  if (tmpl.is_string()) {
    const auto& text = tmpl.get_ref<const std::string&>();
    if (text == "*") return true;
    if (text.starts_with("$$")) return value.is_string() && value.get_ref<const std::string&>() == text.substr(1);
    if (text.starts_with("$")) {
      auto [it, inserted] = bindings.emplace(text.substr(1), value);
      return inserted || it->second == value;
    }
    return value == tmpl;
  }
  if (tmpl.is_object()) {
    if (!value.is_object() || value.size() != tmpl.size()) return false;
    for (const auto& [key, sub] : tmpl.items()) {
      auto it = value.find(key);
      if (it == value.end() || !match(sub, *it, bindings, depth + 1)) return false;
    }
    return true;
  }
  if (tmpl.is_array()) {
    if (!value.is_array() || value.size() != tmpl.size()) return false;
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
      if (!match(tmpl[i], value[i], bindings, depth + 1)) return false;
    }
    return true;
  }
  return value == tmpl;  // nlohmann compares numbers by value: 1 == 1.0
}

// Collects placeholder names, and reasons for malformed ones.
void scan(const json& tmpl, std::set<std::string>& names, std::vector<std::string>& problems, std::size_t depth) {
  if (depth > kMaxJsonDepth) {
    problems.push_back("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return;
  }
  if (tmpl.is_string()) {
    const auto& text = tmpl.get_ref<const std::string&>();
    if (!text.starts_with("$") || text.starts_with("$$")) return;
    if (is_placeholder_name(std::string_view(text).substr(1))) {
      names.insert(text.substr(1));
    } else {
      problems.push_back("\"" + text +
                         "\" is not a placeholder: write $ then a letter or _ and then letters, digits or _ "
                         "(or $$ for a literal $)");
    }
    return;
  }
  if (tmpl.is_structured()) {
    for (const auto& element : tmpl) scan(element, names, problems, depth + 1);
  }
}

}  // namespace

std::optional<Bindings> match_template(const json& tmpl, const json& value) {
  Bindings bindings;
  if (!match(tmpl, value, bindings, 0)) return std::nullopt;
  return bindings;
}

std::optional<std::size_t> find_error_format(const std::vector<ErrorFormat>& formats, const json& legacy,
                                             const json& candidate, int legacy_status, int candidate_status) {
  for (std::size_t i = 0; i < formats.size(); ++i) {
    const auto& statuses = formats[i].statuses;
    if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), std::pair{legacy_status, candidate_status}) ==
                                 statuses.end()) {
      continue;
    }
    auto legacy_bindings = match_template(formats[i].legacy, legacy);
    if (!legacy_bindings) continue;
    auto candidate_bindings = match_template(formats[i].candidate, candidate);
    if (candidate_bindings && *legacy_bindings == *candidate_bindings) return i;
  }
  return std::nullopt;
}

bool explains_status(const ErrorFormat& format, int legacy_status, int candidate_status) {
  if (legacy_status == candidate_status) return true;
  return std::find(format.statuses.begin(), format.statuses.end(), std::pair{legacy_status, candidate_status}) !=
         format.statuses.end();
}

std::vector<std::pair<std::string, std::string>> error_format_errors(const ErrorFormat& format) {
  std::vector<std::pair<std::string, std::string>> errors;
  std::set<std::string> names[2];
  const std::pair<const char*, const json*> sides[2] = {{"legacy", &format.legacy}, {"candidate", &format.candidate}};
  for (int s = 0; s < 2; ++s) {
    const auto& [field, tmpl] = sides[s];
    if (!tmpl->is_object()) {
      errors.emplace_back(field, "must be a JSON object (the shape of an error body)");
      continue;
    }
    std::vector<std::string> problems;
    scan(*tmpl, names[s], problems, 0);
    for (auto& problem : problems) errors.emplace_back(field, std::move(problem));
  }
  if (errors.empty()) {
    // A name bound on one side only could never be compared: almost certainly a typo.
    for (int s = 0; s < 2; ++s) {
      for (const auto& name : names[s]) {
        if (names[1 - s].count(name) == 0) {
          errors.emplace_back(sides[s].first, "$" + name + " is bound here but not in the " + sides[1 - s].first +
                                                  " template; bindings must appear on both sides");
        }
      }
    }
  }
  for (std::size_t i = 0; i < format.statuses.size(); ++i) {
    const auto [legacy_status, candidate_status] = format.statuses[i];
    if (legacy_status < 100 || legacy_status > 599 || candidate_status < 100 || candidate_status > 599) {
      errors.emplace_back("statuses[" + std::to_string(i) + "]",
                          "statuses are [legacy, candidate] pairs of HTTP status codes (100-599)");
    }
  }
  return errors;
}

}  // namespace parity::compare
