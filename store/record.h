#pragma once
// One record per mirrored exchange: what the store keeps and the report reads.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compare/difference.h"

namespace parity::store {

struct SideSummary {
  int status = 0;          // 0 when the side produced no response
  double latency_ms = 0;   // time to the complete response
  std::uint64_t bytes = 0; // response body bytes
  std::string error;       // empty unless the side failed or timed out
};

struct Record {
  std::string ts;          // RFC 3339 UTC with milliseconds, e.g. 2026-11-25T18:37:20.123Z
  std::string request_id;
  std::string method;
  std::string route;       // the route's name or pattern, e.g. /v1/files/{file_id}
  std::string target;      // path and query sent to the backends (no secrets)
  std::string served_by;   // "legacy" or "candidate"
  std::string instance;    // the gateway instance that wrote it
  compare::Verdict verdict = compare::Verdict::match;
  SideSummary legacy;
  SideSummary candidate;
  std::vector<compare::Difference> differences;
  std::optional<nlohmann::json> sample;  // bounded body sample, only for mismatches
};

nlohmann::json to_json(const Record& r);
// Returns nullopt (never throws) when the line is not a record.
std::optional<Record> record_from_json(const nlohmann::json& j);

}  // namespace parity::store
