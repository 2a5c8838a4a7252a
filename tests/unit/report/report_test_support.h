#pragma once
// Record builders for the report tests.
#include <string>

#include "store/record.h"

namespace parity::report::testing {

using compare::DiffKind;
using compare::Explained;
using compare::Verdict;

struct RecordSpec {
  std::string route = "/v1/items";
  std::string method = "GET";
  Verdict verdict = Verdict::match;
  double legacy_ms = 10;
  double candidate_ms = 8;
  std::string ts = "2026-11-25T18:00:00.000Z";
  std::string served_by = "legacy";
  int candidate_status = 200;
};

inline store::Record make_record(const RecordSpec& spec) {
  store::Record r;
  r.ts = spec.ts;
  r.request_id = "req";
  r.method = spec.method;
  r.route = spec.route;
  r.target = spec.route;
  r.served_by = spec.served_by;
  r.verdict = spec.verdict;
  r.legacy = {200, spec.legacy_ms, 100, ""};
  r.candidate = {spec.candidate_status, spec.candidate_ms, 100, spec.candidate_status ? "" : "timeout"};
  return r;
}

inline compare::Difference diff(std::string pointer, DiffKind kind = DiffKind::value,
                                Explained explained = Explained::none, nlohmann::json legacy = 1,
                                nlohmann::json candidate = 2) {
  return {std::move(pointer), kind, std::move(legacy), std::move(candidate), explained};
}

}  // namespace parity::report::testing
