#pragma once
// Parsing bodies as JSON on the compare path: never throws, and refuses absurd nesting so that every
// recursive walk that follows (diff, templates, dump) has a bounded depth.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace parity::compare {

inline constexpr std::size_t kMaxJsonDepth = 256;

// The JSON value of `text`; nullopt when it is not one complete JSON text (RFC 8259, UTF-8) or when
// arrays/objects nest deeper than kMaxJsonDepth.
std::optional<nlohmann::json> parse_json(std::string_view text);

}  // namespace parity::compare
