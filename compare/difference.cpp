#include "compare/difference.h"

#include <array>

namespace parity::compare {
namespace {

constexpr std::array<std::string_view, 9> kKindNames = {
    "value", "type", "missing", "extra", "array_length", "status", "header", "body", "shadow_error"};
constexpr std::array<std::string_view, 3> kExplainedNames = {"none", "error_format", "noise"};
constexpr std::array<std::string_view, 4> kVerdictNames = {"match", "expected", "mismatch", "error"};

template <class Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DiffKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }
std::string_view to_string(Explained e) { return kExplainedNames[static_cast<std::size_t>(e)]; }
std::string_view to_string(Verdict v) { return kVerdictNames[static_cast<std::size_t>(v)]; }
std::optional<DiffKind> diff_kind_from_string(std::string_view s) { return parse_enum<DiffKind>(kKindNames, s); }
std::optional<Explained> explained_from_string(std::string_view s) {
  return parse_enum<Explained>(kExplainedNames, s);
}
std::optional<Verdict> verdict_from_string(std::string_view s) { return parse_enum<Verdict>(kVerdictNames, s); }

nlohmann::json to_json(const Difference& d) {
  nlohmann::json j = {{"pointer", d.pointer},
                      {"kind", to_string(d.kind)},
                      {"legacy", d.legacy},
                      {"candidate", d.candidate}};
  if (d.explained != Explained::none) j["explained"] = to_string(d.explained);
  return j;
}

std::optional<Difference> difference_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("pointer") || !j["pointer"].is_string() || !j.contains("kind") ||
      !j["kind"].is_string()) {
    return std::nullopt;
  }
  auto kind = diff_kind_from_string(j["kind"].get<std::string>());
  if (!kind) return std::nullopt;
  Difference d;
  d.pointer = j["pointer"].get<std::string>();
  d.kind = *kind;
  d.legacy = j.value("legacy", nlohmann::json());
  d.candidate = j.value("candidate", nlohmann::json());
  if (auto it = j.find("explained"); it != j.end() && it->is_string()) {
    d.explained = explained_from_string(it->get<std::string>()).value_or(Explained::none);
  }
  return d;
}

}  // namespace parity::compare
