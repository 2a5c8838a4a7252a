#pragma once
// Timestamps as they appear in records and logs.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace parity {

// RFC 3339 UTC with milliseconds: 2026-11-25T18:37:20.123Z
std::string format_rfc3339_ms(std::chrono::system_clock::time_point t);

// Parses what format_rfc3339_ms writes, with 0-9 fraction digits and `Z` or a `+hh:mm`/`-hh:mm` offset.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace parity
