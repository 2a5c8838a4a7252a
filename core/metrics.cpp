#include "core/metrics.h"

#include <cstdio>

namespace parity {

const std::vector<double>& Histogram::bucket_bounds_ms() {
  static const std::vector<double> bounds = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
  return bounds;
}

Histogram::Histogram() : buckets_(new std::atomic<std::uint64_t>[bucket_bounds_ms().size() + 1]) {
  for (std::size_t i = 0; i <= bucket_bounds_ms().size(); ++i) buckets_[i].store(0);
}

void Histogram::observe_ms(double ms) {
  const auto& bounds = bucket_bounds_ms();
  std::size_t i = 0;
  while (i < bounds.size() && ms > bounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(ms < 0 ? 0 : ms * 1000.0), std::memory_order_relaxed);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  }
  return out + "}";
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help, const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.type = type;
    f.help = help;
  }
  return f;
}

template <class Metric>
static Metric* find_metric(const std::map<std::string, std::unique_ptr<Metric>>& metrics, const std::string& key) {
  auto it = metrics.find(key);
  return it == metrics.end() ? nullptr : it->second.get();
}

Counter& MetricsRegistry::counter(const std::string& name, const Labels& labels, const std::string& help) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    if (auto f = families_.find(name); f != families_.end()) {
      if (auto* c = find_metric(f->second.counters, key)) return *c;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, "counter").counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const Labels& labels, const std::string& help) {
  std::string key = render_labels(labels);
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, "gauge").gauges[key];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const Labels& labels, const std::string& help) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    if (auto f = families_.find(name); f != families_.end()) {
      if (auto* h = find_metric(f->second.histograms, key)) return *h;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[key];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

void MetricsRegistry::add_collector(std::function<void(std::string&)> collect) {
  std::unique_lock lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::uint64_t MetricsRegistry::counter_total(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  std::uint64_t total = 0;
  for (const auto& [key, c] : f->second.counters) total += c->value();
  return total;
}

namespace {

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Inserts an extra label into a rendered label set: {a="1"} + le="5" -> {a="1",le="5"}.
std::string with_label(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string MetricsRegistry::render_prometheus() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
      for (const auto& [labels, c] : f.counters) out += name + labels + " " + std::to_string(c->value()) + "\n";
      for (const auto& [labels, g] : f.gauges) out += name + labels + " " + std::to_string(g->value()) + "\n";
      const auto& bounds = Histogram::bucket_bounds_ms();
      for (const auto& [labels, h] : f.histograms) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds.size(); ++i) {
          cumulative += h->bucket(i);
          out += name + "_bucket" + with_label(labels, "le=\"" + format_number(bounds[i]) + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        cumulative += h->bucket(bounds.size());
        out += name + "_bucket" + with_label(labels, "le=\"+Inf\"") + " " + std::to_string(cumulative) + "\n";
        out += name + "_sum" + labels + " " + format_number(h->sum_ms()) + "\n";
        out += name + "_count" + labels + " " + std::to_string(cumulative) + "\n";
      }
    }
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect(out);
  return out;
}

}  // namespace parity
