#pragma once
// A small Prometheus registry: counters, gauges and fixed-bucket histograms with labels, plus
// collectors that append text of their own (live aggregates, store stats). Thread-safe; a metric
// handle stays valid for the registry's lifetime, so hot paths look it up once and keep it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parity {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Latency histogram in milliseconds with Prometheus-style cumulative buckets.
class Histogram {
 public:
  static const std::vector<double>& bucket_bounds_ms();
  Histogram();
  void observe_ms(double ms);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_ms() const { return static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1000.0; }
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative; rendered cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

class MetricsRegistry {
 public:
  Counter& counter(const std::string& name, const Labels& labels, const std::string& help);
  Gauge& gauge(const std::string& name, const Labels& labels, const std::string& help);
  Histogram& histogram(const std::string& name, const Labels& labels, const std::string& help);
  // `collect` appends complete Prometheus text (with # HELP/# TYPE) for metrics owned elsewhere.
  void add_collector(std::function<void(std::string&)> collect);

  // Sum of a counter over all label sets (for status pages and tests).
  std::uint64_t counter_total(const std::string& name) const;
  std::string render_prometheus() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // keyed by rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);

  mutable std::shared_mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// Escapes a label value for the Prometheus text format.
std::string escape_label_value(std::string_view value);
std::string render_labels(const Labels& labels);

}  // namespace parity
