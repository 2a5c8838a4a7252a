#pragma once
// The state of every backend instance shared by all event loops: its circuit breaker and its health
// from active checks, with their metrics. Keyed by side and URL, so it survives reloads that keep an
// instance. Thread-safe.
#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/upstream/circuit_breaker.h"
#include "gateway/upstream/health_tracker.h"

namespace parity::upstream {

struct Result;

class InstanceState {
 public:
  InstanceState(config::Side side, std::string url, MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log);

  // Not available when an active check found it unhealthy (healthy() false) or its breaker refuses.
  bool healthy() const;
  bool would_allow(std::chrono::steady_clock::time_point now, const config::BreakerConfig& config);
  bool allow(std::chrono::steady_clock::time_point now, const config::BreakerConfig& config);
  // Feeds the breaker with the outcome of an exchange that allow() let through.
  void record(const Result& result, std::chrono::steady_clock::time_point now);
  // An active health probe's outcome.
  void record_probe(bool ok, const std::string& detail, const config::HealthCheckConfig& config);
  BreakerState breaker_state() const;

  const std::string& url() const { return url_; }

 private:
  void publish_breaker();  // mutex_ held

  config::Side side_;
  std::string url_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  CircuitBreaker breaker_;
  HealthTracker health_;
  Gauge& healthy_gauge_;
  Gauge& breaker_gauge_;
  Counter& opens_;
  Counter& failures_;
  Counter& exchanges_;
};

class InstanceRegistry {
 public:
  InstanceRegistry(MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log, const Clock& clock)
      : metrics_(metrics), log_(std::move(log)), clock_(clock) {}
  std::shared_ptr<InstanceState> get(config::Side side, const std::string& url);
  const Clock& clock() const { return clock_; }
  MetricsRegistry& metrics() { return metrics_; }

 private:
  MetricsRegistry& metrics_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::pair<config::Side, std::string>, std::shared_ptr<InstanceState>> states_;
};

}  // namespace parity::upstream
