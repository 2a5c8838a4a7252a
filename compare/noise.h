#pragma once
// Learning which fields are noise (timestamps, ids, random values), after Diffy.
//
// Two signals, per (route, field), where a field is a pointer with array indices replaced by "*"
// (/data/3/id and /data/7/id are the same field /data/*/id; compare::field_of):
// 1. Diffy's: the shadow stage sends a sample of requests twice to legacy. A field that differs between
//    two legacy answers to the same request is noisy. With raw = share of legacy-vs-candidate exchanges
//    that differ at the field and noise = share of legacy-vs-legacy pairs that differ there, the field
//    is a real difference only when raw > noise, (raw - noise) / (raw + noise) > `relative` and
//    raw - noise > `absolute`; otherwise it is noise. (Diffy compares counts over the same requests; we
//    resample only a share of them, so we compare rates.)
// 2. Never-repeating values: a field whose differing values, on both sides, are all distinct across at
//    least `min_distinct` exchanges (ids, timestamps, nonces) is noise, unless Diffy's signal has enough
//    legacy pairs on that route (`overrule_samples`) and the field never differed between them.
// Memory is bounded: at most `max_fields` (route, field) entries and `max_values` fingerprints per field.
// Thread-safe; no clock, no globals. Learning is gradual: the first exchanges of a new noisy field are
// still mismatches (declare known noise in `compare.noise.fields` to avoid that).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compare/difference.h"

namespace parity::compare {

struct NoiseThresholds {
  double relative = 0.20;              // Diffy's default relative threshold (20%)
  double absolute = 0.0003;            // Diffy's default absolute threshold (0.03% of exchanges)
  std::size_t min_distinct = 10;       // exchanges with all-distinct values before a field "never repeats"
  std::size_t max_values = 64;         // value fingerprints kept per field
  std::size_t overrule_samples = 10;   // legacy pairs that can overrule "never repeats"
  std::size_t max_fields = 10000;      // (route, field) entries; fields beyond are not learned
};

struct NoiseStats {
  std::size_t exchanges = 0;      // legacy-vs-candidate comparisons seen on the route
  std::size_t noise_samples = 0;  // legacy-vs-legacy comparisons seen on the route
  std::size_t raw = 0;            // of the exchanges, those that differ at the field
  std::size_t noise = 0;          // of the legacy pairs, those that differ at the field
  bool never_repeats = false;     // signal 2 holds
};

class NoiseLearner {
 public:
  explicit NoiseLearner(NoiseThresholds thresholds = {});

  // One legacy-vs-candidate comparison on `route` and its differences.
  void observe_exchange(std::string_view route, const std::vector<Difference>& differences);
  // One comparison of two legacy answers to the same request.
  void observe_noise(std::string_view route, const std::vector<Difference>& differences);

  bool is_noise(std::string_view route, std::string_view pointer) const;
  NoiseStats stats(std::string_view route, std::string_view pointer) const;

 private:
  struct Field {
    std::size_t raw = 0;
    std::size_t noise = 0;
    std::size_t valued = 0;  // exchanges whose values were fingerprinted
    bool repeated = false;
    std::unordered_set<std::uint64_t> seen;
  };
  struct Route {
    std::size_t exchanges = 0;
    std::size_t noise_samples = 0;
  };

  // nullptr when the entry does not exist and the table is full.
  Field* field_entry(std::string_view route, const std::string& field);
  const Field* find_field(std::string_view route, const std::string& field) const;
  NoiseStats stats_locked(std::string_view route, const std::string& field) const;
  bool is_noise_locked(const NoiseStats& s) const;

  NoiseThresholds thresholds_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Route> routes_;
  std::unordered_map<std::string, Field> fields_;  // key: route + '\0' + field
};

}  // namespace parity::compare
