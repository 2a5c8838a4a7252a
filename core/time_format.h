#pragma once
// Timestamps as they appear in records and logs.
#include <chrono>
#include <string>

namespace parity {

// RFC 3339 UTC with milliseconds: 2026-11-25T18:37:20.123Z
std::string format_rfc3339_ms(std::chrono::system_clock::time_point t);

}  // namespace parity
