#include "report/aggregate.h"

#include <algorithm>
#include <functional>
#include <map>

#include "compare/json_pointer.h"

namespace parity::report {

std::size_t Aggregate::FieldKeyHash::operator()(const FieldKey& k) const noexcept {
  return std::hash<std::string>()(k.pointer) * 31 + static_cast<std::size_t>(k.kind);
}

void Aggregate::add(const store::Record& record) {
  auto& route = routes_[{record.route, record.method}];
  if (route.stats.counts.exchanges == 0) {
    route.stats.route = record.route;
    route.stats.method = record.method;
    summary_.routes = routes_.size();
  }
  route.stats.counts.add(record.verdict);
  summary_.counts.add(record.verdict);
  if (record.legacy.status > 0) {
    route.stats.legacy_latency.record_ms(record.legacy.latency_ms);
    summary_.legacy_latency.record_ms(record.legacy.latency_ms);
  }
  if (record.candidate.status > 0) {
    route.stats.candidate_latency.record_ms(record.candidate.latency_ms);
    summary_.candidate_latency.record_ms(record.candidate.latency_ms);
  }
  if (!record.ts.empty()) {
    if (summary_.first_ts.empty() || record.ts < summary_.first_ts) summary_.first_ts = record.ts;
    if (summary_.last_ts.empty() || record.ts > summary_.last_ts) summary_.last_ts = record.ts;
  }
  if (!record.served_by.empty()) ++summary_.served_by[record.served_by];
  add_differences(route, record.differences, record.request_id);
}

void Aggregate::add_differences(RouteAccumulator& route, const std::vector<compare::Difference>& differences,
                                const std::string& request_id) {
  // This exchange's differences by field: the first one at each field is its example.
  struct Seen {
    const compare::Difference* first;
    bool all_noise;
    bool all_expected;
  };
  std::map<FieldKey, Seen> by_field;
  for (const auto& d : differences) {
    const bool noise = d.explained == compare::Explained::noise;
    const bool expected = d.explained == compare::Explained::error_format;
    auto [it, added] = by_field.try_emplace(FieldKey{compare::field_of(d.pointer), d.kind}, Seen{&d, noise, expected});
    if (!added) {
      it->second.all_noise = it->second.all_noise && noise;
      it->second.all_expected = it->second.all_expected && expected;
    }
  }
  for (auto& [key, seen] : by_field) {
    auto it = route.fields.find(key);
    if (it == route.fields.end()) {
      if (route.fields.size() >= options_.max_fields_per_route) {
        ++route.stats.fields_overflow;
        continue;
      }
      FieldStats field;
      field.pointer = key.pointer;
      field.kind = key.kind;
      it = route.fields.emplace(key, std::move(field)).first;
    }
    auto& field = it->second;
    ++field.count;
    if (seen.all_noise) ++field.noise_count;
    if (seen.all_expected) ++field.expected_count;
    if (field.examples.size() < options_.max_examples) {
      const compare::Difference& d = *seen.first;
      FieldExample example{d.pointer, bounded(d.legacy), bounded(d.candidate), request_id};
      const bool repeated = std::any_of(field.examples.begin(), field.examples.end(), [&](const FieldExample& e) {
        return e.legacy == example.legacy && e.candidate == example.candidate;
      });
      if (!repeated) field.examples.push_back(std::move(example));
    }
  }
}

nlohmann::json Aggregate::bounded(const nlohmann::json& value) const {
  if (value.is_number() || value.is_boolean() || value.is_null()) return value;
  if (value.is_string() && value.get_ref<const std::string&>().size() <= options_.max_example_chars) return value;
  std::string text = value.is_string() ? value.get<std::string>()
                                       : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() <= options_.max_example_chars) return value;
  text.resize(options_.max_example_chars);
  // Do not leave half a UTF-8 sequence at the cut: find the last sequence's lead byte and drop the
  // sequence if it is incomplete.
  std::size_t lead = text.size();
  while (lead > 0 && (static_cast<unsigned char>(text[lead - 1]) & 0xC0) == 0x80) --lead;
  if (lead > 0) {
    const auto byte = static_cast<unsigned char>(text[lead - 1]);
    const std::size_t length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
    if (lead - 1 + length > text.size()) text.resize(lead - 1);
  }
  return text + "…";
}

std::vector<RouteStats> Aggregate::routes() const {
  std::vector<RouteStats> out;
  out.reserve(routes_.size());
  for (const auto& [key, route] : routes_) {
    RouteStats stats = route.stats;
    stats.fields.reserve(route.fields.size());
    for (const auto& [field_key, field] : route.fields) stats.fields.push_back(field);
    std::sort(stats.fields.begin(), stats.fields.end(), [](const FieldStats& a, const FieldStats& b) {
      if (a.count != b.count) return a.count > b.count;
      if (a.pointer != b.pointer) return a.pointer < b.pointer;
      return a.kind < b.kind;
    });
    out.push_back(std::move(stats));
  }
  return out;
}

}  // namespace parity::report
