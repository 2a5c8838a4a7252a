#pragma once
// An HDR-style log-linear latency histogram: microsecond values from 1 µs to 1 hour with 3 significant
// digits (every recorded value is within 0.1% of its bucket's bounds), in fixed memory.
//
// Layout (as in HdrHistogram): 2048 linear sub-buckets cover 0..2047 µs exactly; each following bucket
// doubles the range and halves the resolution, keeping 1024 sub-buckets per power of two. The counters
// (about 184 KiB) are allocated on the first record or merge, so an empty histogram costs nothing.
// Not thread-safe: callers lock. Merging two histograms is one pass over the counters.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace parity {

class LatencyHistogram {
 public:
  static constexpr std::int64_t kMaxValueUs = 3'600'000'000;  // 1 hour
  static constexpr int kSignificantDigits = 3;

  // Records `count` occurrences of `value_us`. Negative values count as 0; values above one hour
  // count as one hour and are also counted in saturated().
  void record(std::int64_t value_us, std::uint64_t count = 1);
  // Convenience for latencies measured in milliseconds (rounded to the microsecond).
  void record_ms(double value_ms);
  void merge(const LatencyHistogram& other);
  void reset();

  // The value (µs) at or below which `p` percent of the recorded values fall, reported as the
  // highest value equivalent to its bucket and clamped to [min, max]. 0 when empty. p is in [0, 100].
  std::int64_t percentile(double p) const;
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return count_ ? max_ : 0; }
  double mean() const;  // µs, from the sum of the recorded values (not the buckets); 0 when empty
  std::uint64_t count() const { return count_; }
  std::uint64_t saturated() const { return saturated_; }
  bool empty() const { return count_ == 0; }
  // How many recorded values are at or below each of `bounds_us` (ascending), as Prometheus `le` buckets
  // count them. A bound takes in its whole counter, so values up to 0.1 % above it may be counted.
  std::vector<std::uint64_t> cumulative_counts(const std::vector<std::int64_t>& bounds_us) const;

  // Compact form: the layout, the totals and the non-zero counters as a flat [index, count, …] array.
  nlohmann::json to_json() const;
  // Returns nullopt (never throws) unless `j` came from to_json() of the same layout and is consistent.
  static std::optional<LatencyHistogram> from_json(const nlohmann::json& j);

  bool operator==(const LatencyHistogram& other) const;

 private:
  void ensure_counts();

  std::vector<std::uint64_t> counts_;  // empty until the first value
  std::uint64_t count_ = 0;
  std::uint64_t saturated_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  // Sum of the recorded (clamped) values; a double so that merging many large histograms cannot overflow.
  double sum_ = 0;
};

}  // namespace parity
