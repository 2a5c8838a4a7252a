#pragma once
// Which records a report covers: a time window [since, until) and a set of gateway instances. The same
// filter is applied to a JSONL file (record by record) and to PostgreSQL (as a WHERE clause), so the two
// stores answer the same question.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "store/record.h"

namespace parity::store {

struct RecordFilter {
  std::string since;                    // RFC 3339 UTC with milliseconds (format_rfc3339_ms); empty = open
  std::string until;                    // exclusive; empty = open
  std::vector<std::string> instances;   // empty = every instance

  bool empty() const { return since.empty() && until.empty() && instances.empty(); }
  // Records' ts are written by format_rfc3339_ms, so comparing the text compares the instants.
  bool matches(const Record& record) const;
};

// Parses a window bound: an RFC 3339 timestamp (2026-11-25T18:00:00Z, …T18:00:00.5+01:00), a date
// (2026-11-25, midnight UTC) or a duration before `now` (90s, 15m, 2h, 7d). Returns the bound in the
// records' format, or nullopt with `error` set.
std::optional<std::string> parse_time_bound(const std::string& text, std::chrono::system_clock::time_point now,
                                            std::string& error);

}  // namespace parity::store
