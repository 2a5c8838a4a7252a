#pragma once
// Bounded, printable stand-ins for large values, so a Difference (and the record that stores it) stays
// small. A value whose JSON text fits in kMaxValueBytes is kept as is; a larger one becomes
//   {"excerpt": "<up to kExcerptBytes of text>", "offset": <where the excerpt starts>, "bytes": <size>,
//    "fnv1a64": "<hash of the whole text>"}
// Pairs of texts are excerpted around their first differing byte, so the excerpt shows the change.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace parity::compare {

inline constexpr std::size_t kMaxValueBytes = 512;
inline constexpr std::size_t kExcerptBytes = 160;

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD (records are JSON, which must be UTF-8).
std::string valid_utf8(std::string_view bytes);

// 64-bit FNV-1a: a cheap fingerprint, not a security hash.
std::uint64_t fnv1a64(std::string_view bytes);
// The same as 16 hex digits.
std::string fnv1a64_hex(std::string_view bytes);

// JSON text that never throws on invalid UTF-8 (invalid bytes become U+FFFD).
std::string dump_json(const nlohmann::json& value);

nlohmann::json bounded_value(const nlohmann::json& value);

// Two texts (decoded bodies, long strings) that differ: both kept when short, else both excerpted from
// just before the first byte where they differ.
std::pair<nlohmann::json, nlohmann::json> bounded_text_pair(std::string_view legacy, std::string_view candidate);

}  // namespace parity::compare
