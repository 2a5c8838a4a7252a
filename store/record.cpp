#include "store/record.h"

namespace parity::store {
namespace {

nlohmann::json side_to_json(const SideSummary& s) {
  nlohmann::json j = {{"status", s.status}, {"latency_ms", s.latency_ms}, {"bytes", s.bytes}};
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

SideSummary side_from_json(const nlohmann::json& j) {
  SideSummary s;
  if (!j.is_object()) return s;
  if (auto it = j.find("status"); it != j.end() && it->is_number_integer()) s.status = it->get<int>();
  if (auto it = j.find("latency_ms"); it != j.end() && it->is_number()) s.latency_ms = it->get<double>();
  if (auto it = j.find("bytes"); it != j.end() && it->is_number_unsigned()) s.bytes = it->get<std::uint64_t>();
  if (auto it = j.find("error"); it != j.end() && it->is_string()) s.error = it->get<std::string>();
  return s;
}

std::string string_or_empty(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::json to_json(const Record& r) {
  nlohmann::json diffs = nlohmann::json::array();
  for (const auto& d : r.differences) diffs.push_back(compare::to_json(d));
  nlohmann::json j = {{"ts", r.ts},
                      {"request_id", r.request_id},
                      {"method", r.method},
                      {"route", r.route},
                      {"target", r.target},
                      {"served_by", r.served_by},
                      {"verdict", compare::to_string(r.verdict)},
                      {"legacy", side_to_json(r.legacy)},
                      {"candidate", side_to_json(r.candidate)},
                      {"differences", std::move(diffs)}};
  if (!r.instance.empty()) j["instance"] = r.instance;
  if (r.sample) j["sample"] = *r.sample;
  return j;
}

std::optional<Record> record_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  auto verdict = compare::verdict_from_string(string_or_empty(j, "verdict"));
  if (!verdict) return std::nullopt;
  Record r;
  r.ts = string_or_empty(j, "ts");
  r.request_id = string_or_empty(j, "request_id");
  r.method = string_or_empty(j, "method");
  r.route = string_or_empty(j, "route");
  r.target = string_or_empty(j, "target");
  r.served_by = string_or_empty(j, "served_by");
  r.instance = string_or_empty(j, "instance");
  r.verdict = *verdict;
  r.legacy = side_from_json(j.value("legacy", nlohmann::json::object()));
  r.candidate = side_from_json(j.value("candidate", nlohmann::json::object()));
  if (auto it = j.find("differences"); it != j.end() && it->is_array()) {
    for (const auto& d : *it) {
      if (auto diff = compare::difference_from_json(d)) r.differences.push_back(std::move(*diff));
    }
  }
  if (auto it = j.find("sample"); it != j.end()) r.sample = *it;
  return r;
}

}  // namespace parity::store
