#pragma once
// The closed family of differences between a legacy and a candidate response.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parity::compare {

enum class DiffKind { value, type, missing, extra, array_length, status, header, body, shadow_error };

// Why a difference does not count against parity; none = it does. (Differences under an `ignore`
// glob are dropped by the engine, not kept and explained.)
enum class Explained { none, error_format, noise };

struct Difference {
  std::string pointer;  // JSON Pointer into the body, or "status", or "header:<name>"
  DiffKind kind = DiffKind::value;
  nlohmann::json legacy;     // null when absent
  nlohmann::json candidate;  // null when absent
  Explained explained = Explained::none;
};

enum class Verdict { match, expected, mismatch, error };

std::string_view to_string(DiffKind kind);
std::string_view to_string(Explained explained);
std::string_view to_string(Verdict verdict);
std::optional<DiffKind> diff_kind_from_string(std::string_view s);
std::optional<Explained> explained_from_string(std::string_view s);
std::optional<Verdict> verdict_from_string(std::string_view s);

nlohmann::json to_json(const Difference& d);
// Returns nullopt when the JSON is not a well-formed difference.
std::optional<Difference> difference_from_json(const nlohmann::json& j);

}  // namespace parity::compare
