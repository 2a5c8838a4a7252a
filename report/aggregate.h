#pragma once
// What the report is made of: counts per (route, method), latency histograms of both sides and the
// differing fields with how often they differ and why. Built one record at a time, so a report over a
// large store streams the file; memory is bounded by routes x max_fields_per_route.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compare/difference.h"
#include "compare/verdict_counts.h"
#include "core/latency_histogram.h"
#include "store/record.h"

namespace parity::report {

struct AggregateOptions {
  std::size_t max_fields_per_route = 1000;  // distinct (field, kind) per route; more count as overflow
  std::size_t max_examples = 3;             // distinct {legacy, candidate} pairs kept per field
  std::size_t max_example_chars = 300;      // longer example values are cut (as a string ending in "…")
};

using compare::VerdictCounts;

struct FieldExample {
  std::string pointer;  // where the difference was (/events/3/id for the field /events/*/id)
  nlohmann::json legacy;
  nlohmann::json candidate;
  std::string request_id;
};

// A field is a pointer with its array indices as "*" (compare::field_of): a stream's /events/0/id …
// /events/40/id are one field, /events/*/id, counted once per exchange — so a count is comparable to
// the route's exchanges, and the pointer can be pasted into compare.ignore or compare.noise.fields.
struct FieldStats {
  std::string pointer;  // the field
  compare::DiffKind kind = compare::DiffKind::value;
  std::uint64_t count = 0;           // exchanges that differ at this field with this kind
  std::uint64_t noise_count = 0;     // of which every such difference was explained as noise
  std::uint64_t expected_count = 0;  // of which every such difference was explained by an error format
  std::vector<FieldExample> examples;

  bool noise() const { return count > 0 && noise_count == count; }
  bool expected() const { return count > 0 && expected_count == count; }
};

struct RouteStats {
  std::string route;
  std::string method;
  VerdictCounts counts;
  // Latency of the responses each side produced (a side that failed without a status is not timed).
  LatencyHistogram legacy_latency;
  LatencyHistogram candidate_latency;
  std::vector<FieldStats> fields;     // by count, highest first; then by pointer
  std::uint64_t fields_overflow = 0;  // (exchange, field) pairs beyond max_fields_per_route
};

struct Summary {
  VerdictCounts counts;
  std::size_t routes = 0;
  std::string first_ts;  // earliest and latest record timestamps (RFC 3339 UTC sorts as text)
  std::string last_ts;
  std::map<std::string, std::uint64_t> served_by;  // "legacy"/"candidate" -> exchanges
  LatencyHistogram legacy_latency;                 // all routes
  LatencyHistogram candidate_latency;
};

class Aggregate {
 public:
  explicit Aggregate(AggregateOptions options = {}) : options_(options) {}

  void add(const store::Record& record);
  const Summary& summary() const { return summary_; }
  // Sorted by route, then method; each route's fields sorted by count.
  std::vector<RouteStats> routes() const;

 private:
  struct FieldKey {
    std::string pointer;
    compare::DiffKind kind;
    bool operator==(const FieldKey&) const = default;
    auto operator<=>(const FieldKey&) const = default;
  };
  struct FieldKeyHash {
    std::size_t operator()(const FieldKey& k) const noexcept;
  };
  struct RouteAccumulator {
    RouteStats stats;  // fields left empty: they live in `fields` until routes() sorts them
    std::unordered_map<FieldKey, FieldStats, FieldKeyHash> fields;
  };

  void add_differences(RouteAccumulator& route, const std::vector<compare::Difference>& differences,
                       const std::string& request_id);
  nlohmann::json bounded(const nlohmann::json& value) const;

  AggregateOptions options_;
  Summary summary_;
  std::map<std::pair<std::string, std::string>, RouteAccumulator> routes_;
};

}  // namespace parity::report
