#include "core/latency_histogram.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace parity {
namespace {

// The exact value at percentile p of sorted values (same rank rule as the histogram: ceil(p% of n)).
std::int64_t exact_percentile(const std::vector<std::int64_t>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

}  // namespace

TEST_CASE("an empty histogram reports zeros", "[latency_histogram]") {
  LatencyHistogram h;
  CHECK(h.empty());
  CHECK(h.count() == 0);
  CHECK(h.percentile(50) == 0);
  CHECK(h.min() == 0);
  CHECK(h.max() == 0);
  CHECK(h.mean() == 0);
}

TEST_CASE("small values are recorded exactly", "[latency_histogram]") {
  LatencyHistogram h;
  for (std::int64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.count() == 100);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.mean() == Approx(50.5));
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(95) == 95);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(100) == 100);
  CHECK(h.percentile(0) == 1);
}

TEST_CASE("percentiles keep three significant digits over the whole range", "[latency_histogram]") {
  std::mt19937_64 rng(42);
  // Log-uniform from 1 µs to 1 hour, so every bucket magnitude is exercised.
  std::uniform_real_distribution<double> exponent(0.0, std::log10(3.6e9));
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::int64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    const auto exact = exact_percentile(values, p);
    const auto got = h.percentile(p);
    INFO("p" << p << " exact " << exact << " got " << got);
    CHECK(std::abs(static_cast<double>(got - exact)) <= std::max(1.0, static_cast<double>(exact) / 1000.0));
  }
  CHECK(h.min() == values.front());
  CHECK(h.max() == values.back());
}

TEST_CASE("values out of range are clamped and counted", "[latency_histogram]") {
  LatencyHistogram h;
  h.record(-5);
  h.record(LatencyHistogram::kMaxValueUs * 2);
  CHECK(h.count() == 2);
  CHECK(h.min() == 0);
  CHECK(h.max() == LatencyHistogram::kMaxValueUs);
  CHECK(h.saturated() == 1);
  CHECK(h.percentile(100) == LatencyHistogram::kMaxValueUs);
}

TEST_CASE("record_ms rounds to the microsecond and ignores non-finite values", "[latency_histogram]") {
  LatencyHistogram h;
  h.record_ms(12.3456);
  h.record_ms(std::nan(""));
  h.record_ms(1e12);
  CHECK(h.count() == 2);
  CHECK(h.min() == 12346);
  CHECK(h.saturated() == 1);
}

TEST_CASE("record with a count weights the value", "[latency_histogram]") {
  LatencyHistogram h;
  h.record(10, 99);
  h.record(5000, 1);
  CHECK(h.count() == 100);
  CHECK(h.percentile(99) == 10);
  CHECK(h.percentile(99.5) == 5000);
  h.record(7, 0);
  CHECK(h.count() == 100);
}

TEST_CASE("merge equals recording everything in one histogram", "[latency_histogram]") {
  LatencyHistogram a, b, all;
  for (std::int64_t v = 1; v < 50000; v += 7) {
    (v % 2 ? a : b).record(v);
    all.record(v);
  }
  LatencyHistogram merged = a;
  merged.merge(b);
  CHECK(merged == all);
  CHECK(merged.percentile(50) == all.percentile(50));

  LatencyHistogram empty;
  empty.merge(a);
  CHECK(empty == a);
  a.merge(LatencyHistogram());
  CHECK(empty == a);
}

TEST_CASE("json round trip keeps every counter", "[latency_histogram]") {
  LatencyHistogram h;
  for (std::int64_t v : {1, 2, 3, 900, 2047, 2048, 123456, 99999999}) h.record(v, 3);
  const auto j = h.to_json();
  CHECK(j["buckets"].size() == 16);  // only the non-zero counters
  auto back = LatencyHistogram::from_json(nlohmann::json::parse(j.dump()));
  REQUIRE(back);
  CHECK(*back == h);
  CHECK(back->percentile(99) == h.percentile(99));

  auto empty = LatencyHistogram::from_json(LatencyHistogram().to_json());
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("from_json rejects other layouts and inconsistent input", "[latency_histogram]") {
  LatencyHistogram h;
  h.record(10);
  auto j = h.to_json();
  CHECK_FALSE(LatencyHistogram::from_json(nlohmann::json::array()));
  auto other_layout = j;
  other_layout["significant_digits"] = 2;
  CHECK_FALSE(LatencyHistogram::from_json(other_layout));
  auto wrong_count = j;
  wrong_count["count"] = 5;
  CHECK_FALSE(LatencyHistogram::from_json(wrong_count));
  auto bad_index = j;
  bad_index["buckets"] = {100000000, 1};
  CHECK_FALSE(LatencyHistogram::from_json(bad_index));
  auto odd = j;
  odd["buckets"] = {1};
  CHECK_FALSE(LatencyHistogram::from_json(odd));
  auto text = j;
  text["min"] = "1";
  CHECK_FALSE(LatencyHistogram::from_json(text));
}

TEST_CASE("reset empties the histogram", "[latency_histogram]") {
  LatencyHistogram h;
  h.record(10);
  h.reset();
  CHECK(h.empty());
  CHECK(h == LatencyHistogram());
}

TEST_CASE("cumulative counts per bound, as Prometheus le buckets", "[latency_histogram]") {
  LatencyHistogram h;
  CHECK(h.cumulative_counts({1000, 5000}) == std::vector<std::uint64_t>{0, 0});
  h.record(10);
  h.record(2000, 2);
  h.record(2'500'000);
  h.record(LatencyHistogram::kMaxValueUs + 1);  // clamped to the top
  const std::vector<std::int64_t> bounds{5, 10, 1999, 2000, 1'000'000, 10'000'000, LatencyHistogram::kMaxValueUs};
  CHECK(h.cumulative_counts(bounds) == std::vector<std::uint64_t>{0, 1, 1, 3, 3, 4, 5});
  // Above 2048 µs a counter spans several values: a bound takes in its whole counter (at most 0.1 % more).
  LatencyHistogram coarse;
  coarse.record(1'000'400);
  CHECK(coarse.cumulative_counts({999'000, 1'000'000, 1'001'000}) == std::vector<std::uint64_t>{0, 1, 1});
}

}  // namespace parity
