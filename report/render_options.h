#pragma once
// What every renderer needs besides the aggregate: where the records came from and how much to show.
#include <cstddef>
#include <cstdint>
#include <string>

namespace parity::report {

struct RenderOptions {
  std::string source{};             // the records file, shown in the report
  std::uint64_t malformed = 0;      // lines of it that were skipped
  std::string generated_at{};       // RFC 3339 time of rendering; empty = not shown
  std::size_t top_fields = 10;      // md/html: differing fields listed per route (json lists all)
  bool histograms = false;          // json: embed each serialised histogram so reports can be merged
};

}  // namespace parity::report
