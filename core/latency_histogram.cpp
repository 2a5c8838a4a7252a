#include "core/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parity {
namespace {

// 3 significant digits need 2 * 10^3 values at unit resolution: 2048 = 2^11 linear sub-buckets.
constexpr int kSubBucketCountMagnitude = 11;
constexpr int kSubBucketHalfCountMagnitude = kSubBucketCountMagnitude - 1;
constexpr std::int64_t kSubBucketCount = std::int64_t{1} << kSubBucketCountMagnitude;
constexpr std::int64_t kSubBucketHalfCount = kSubBucketCount / 2;
constexpr std::int64_t kSubBucketMask = kSubBucketCount - 1;

constexpr int bucket_count_for(std::int64_t highest) {
  std::int64_t smallest_untrackable = kSubBucketCount;
  int buckets = 1;
  while (smallest_untrackable <= highest) {
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

constexpr int kBucketCount = bucket_count_for(LatencyHistogram::kMaxValueUs);
constexpr std::size_t kCountsLen = static_cast<std::size_t>(kBucketCount + 1) << kSubBucketHalfCountMagnitude;

int bucket_index(std::int64_t v) {
  return 64 - kSubBucketCountMagnitude -
         std::countl_zero(static_cast<std::uint64_t>(v) | static_cast<std::uint64_t>(kSubBucketMask));
}

std::size_t counts_index(std::int64_t v) {
  const int bucket = bucket_index(v);
  const std::int64_t sub = v >> bucket;
  return static_cast<std::size_t>(((static_cast<std::int64_t>(bucket) + 1) << kSubBucketHalfCountMagnitude) +
                                  (sub - kSubBucketHalfCount));
}

// Lowest value that maps to counter `index`.
std::int64_t value_from_index(std::size_t index) {
  int bucket = static_cast<int>(index >> kSubBucketHalfCountMagnitude) - 1;
  std::int64_t sub = static_cast<std::int64_t>(index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub << bucket;
}

std::int64_t highest_equivalent(std::size_t index) {
  const std::int64_t lowest = value_from_index(index);
  return lowest + (std::int64_t{1} << bucket_index(lowest)) - 1;
}

}  // namespace

void LatencyHistogram::ensure_counts() {
  if (counts_.empty()) counts_.assign(kCountsLen, 0);
}

void LatencyHistogram::record(std::int64_t value_us, std::uint64_t count) {
  if (count == 0) return;
  if (value_us < 0) value_us = 0;
  if (value_us > kMaxValueUs) {
    value_us = kMaxValueUs;
    saturated_ += count;
  }
  ensure_counts();
  counts_[counts_index(value_us)] += count;
  if (count_ == 0 || value_us < min_) min_ = value_us;
  if (count_ == 0 || value_us > max_) max_ = value_us;
  count_ += count;
  sum_ += static_cast<double>(value_us) * static_cast<double>(count);
}

std::vector<std::uint64_t> LatencyHistogram::cumulative_counts(const std::vector<std::int64_t>& bounds_us) const {
  std::vector<std::uint64_t> out(bounds_us.size(), 0);
  if (counts_.empty()) return out;
  std::uint64_t running = 0;
  std::size_t next = 0;  // the first counter not summed yet: one pass for all the bounds
  for (std::size_t b = 0; b < bounds_us.size(); ++b) {
    const std::size_t last = counts_index(std::clamp<std::int64_t>(bounds_us[b], 0, kMaxValueUs));
    for (; next <= last; ++next) running += counts_[next];
    out[b] = running;
  }
  return out;
}

void LatencyHistogram::record_ms(double value_ms) {
  if (!std::isfinite(value_ms)) return;
  const double us = std::round(value_ms * 1000.0);
  record(us >= static_cast<double>(kMaxValueUs) ? kMaxValueUs + 1 : static_cast<std::int64_t>(us));
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  ensure_counts();
  for (std::size_t i = 0; i < kCountsLen; ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
}

void LatencyHistogram::reset() { *this = LatencyHistogram(); }

std::int64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) p = 0;  // also catches NaN
  if (p > 100) p = 100;
  const double wanted = std::ceil(p / 100.0 * static_cast<double>(count_));
  const std::uint64_t target = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kCountsLen; ++i) {
    seen += counts_[i];
    if (seen >= target) return std::clamp(highest_equivalent(i), min_, max_);
  }
  return max_;
}

double LatencyHistogram::mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

nlohmann::json LatencyHistogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    buckets.push_back(i);
    buckets.push_back(counts_[i]);
  }
  return {{"unit", "us"},
          {"significant_digits", kSignificantDigits},
          {"max_value", kMaxValueUs},
          {"count", count_},
          {"min", min()},
          {"max", max()},
          {"sum", sum_},
          {"saturated", saturated_},
          {"buckets", std::move(buckets)}};
}

std::optional<LatencyHistogram> LatencyHistogram::from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  auto field = [&j](const char* key) -> const nlohmann::json* {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  };
  const auto* unit = field("unit");
  const auto* digits = field("significant_digits");
  const auto* max_value = field("max_value");
  if (!unit || *unit != "us" || !digits || *digits != kSignificantDigits || !max_value || *max_value != kMaxValueUs) {
    return std::nullopt;  // another layout: merging it bucket by bucket would be wrong
  }
  const auto* count = field("count");
  const auto* min = field("min");
  const auto* max = field("max");
  const auto* sum = field("sum");
  const auto* saturated = field("saturated");
  const auto* buckets = field("buckets");
  if (!count || !count->is_number_unsigned() || !min || !min->is_number_integer() || !max ||
      !max->is_number_integer() || !sum || !sum->is_number() || !saturated || !saturated->is_number_unsigned() ||
      !buckets || !buckets->is_array() || buckets->size() % 2 != 0) {
    return std::nullopt;
  }
  LatencyHistogram h;
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < buckets->size(); k += 2) {
    const auto& index = (*buckets)[k];
    const auto& n = (*buckets)[k + 1];
    if (!index.is_number_unsigned() || !n.is_number_unsigned()) return std::nullopt;
    const auto i = index.get<std::uint64_t>();
    if (i >= kCountsLen) return std::nullopt;
    h.ensure_counts();
    h.counts_[i] += n.get<std::uint64_t>();
    total += n.get<std::uint64_t>();
  }
  h.count_ = count->get<std::uint64_t>();
  h.min_ = min->get<std::int64_t>();
  h.max_ = max->get<std::int64_t>();
  h.sum_ = sum->get<double>();
  h.saturated_ = saturated->get<std::uint64_t>();
  if (total != h.count_ || h.min_ < 0 || h.max_ > kMaxValueUs || h.min_ > h.max_) return std::nullopt;
  if (h.count_ == 0) return LatencyHistogram();
  return h;
}

bool LatencyHistogram::operator==(const LatencyHistogram& other) const {
  if (count_ != other.count_ || saturated_ != other.saturated_ || min() != other.min() || max() != other.max() ||
      sum_ != other.sum_) {
    return false;
  }
  if (count_ == 0) return true;
  return counts_ == other.counts_;
}

}  // namespace parity
