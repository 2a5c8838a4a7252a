#include "gateway/upstream/instance_registry.h"

#include "gateway/upstream/upstream_pool.h"

namespace parity::upstream {

namespace {
Labels labels(config::Side side, const std::string& url) { return {{"backend", config::to_string(side)}, {"instance", url}}; }
}  // namespace

InstanceState::InstanceState(config::Side side, std::string url, MetricsRegistry& metrics,
                             std::shared_ptr<spdlog::logger> log)
    : side_(side),
      url_(std::move(url)),
      log_(std::move(log)),
      healthy_gauge_(metrics.gauge("parity_backend_instance_healthy", labels(side, url_),
                                   "1 when the instance passes its active health checks (or has none)")),
      breaker_gauge_(metrics.gauge("parity_backend_breaker_state", labels(side, url_),
                                   "Circuit breaker state per instance: 0 closed, 1 open, 2 half-open")),
      opens_(metrics.counter("parity_backend_breaker_opens_total", labels(side, url_),
                             "Times an instance's circuit breaker opened")),
      failures_(metrics.counter("parity_backend_failures_total", labels(side, url_),
                                "Failed exchanges with an instance (connect, TLS, reset, timeout, protocol)")),
      exchanges_(metrics.counter("parity_backend_exchanges_total", labels(side, url_),
                                 "Exchanges sent to an instance (served and mirrored), whatever their outcome")) {
  healthy_gauge_.set(1);
}

bool InstanceState::healthy() const {
  std::lock_guard lock(mutex_);
  return health_.healthy();
}

bool InstanceState::would_allow(std::chrono::steady_clock::time_point now, const config::BreakerConfig& config) {
  std::lock_guard lock(mutex_);
  breaker_.set_config(config);
  return breaker_.would_allow(now);
}

bool InstanceState::allow(std::chrono::steady_clock::time_point now, const config::BreakerConfig& config) {
  std::lock_guard lock(mutex_);
  breaker_.set_config(config);
  auto before = breaker_.state();
  bool allowed = breaker_.allow(now);
  if (before != breaker_.state()) {
    log_->info("backend {} instance {}: circuit half-open, probing with one request", config::to_string(side_), url_);
    publish_breaker();
  }
  return allowed;
}

void InstanceState::record(const Result& result, std::chrono::steady_clock::time_point now) {
  exchanges_.inc();
  std::lock_guard lock(mutex_);
  auto before = breaker_.state();
  // An answer is a success unless its status is one the breaker is configured to count (503, say).
  const bool failed_answer = result.failure == Failure::none && result.head_received &&
                             breaker_.is_failure_status(result.status);
  if (result.failure == Failure::none && !failed_answer) {
    breaker_.on_success();
  } else if (result.failure == Failure::aborted) {
    breaker_.on_abandoned();
  } else {
    failures_.inc();
    if (breaker_.on_failure(now)) {
      opens_.inc();
      log_->warn("backend {} instance {}: circuit open after {} consecutive failure(s), last: {}",
                 config::to_string(side_), url_, breaker_.consecutive_failures(),
                 failed_answer ? "answered HTTP " + std::to_string(result.status) : result.error);
    }
  }
  if (before != breaker_.state()) {
    if (breaker_.state() == BreakerState::closed) {
      log_->info("backend {} instance {}: circuit closed again", config::to_string(side_), url_);
    }
    publish_breaker();
  }
}

void InstanceState::record_probe(bool ok, const std::string& detail, const config::HealthCheckConfig& config) {
  std::lock_guard lock(mutex_);
  if (!health_.observe(ok, config.unhealthy_after, config.healthy_after)) return;
  healthy_gauge_.set(health_.healthy() ? 1 : 0);
  if (health_.healthy()) {
    log_->info("backend {} instance {}: healthy again", config::to_string(side_), url_);
  } else {
    log_->warn("backend {} instance {}: unhealthy after {} failed check(s) ({}); taken out of rotation",
               config::to_string(side_), url_, config.unhealthy_after, detail);
  }
}

BreakerState InstanceState::breaker_state() const {
  std::lock_guard lock(mutex_);
  return breaker_.state();
}

void InstanceState::publish_breaker() {
  switch (breaker_.state()) {
    case BreakerState::closed: breaker_gauge_.set(0); break;
    case BreakerState::open: breaker_gauge_.set(1); break;
    case BreakerState::half_open: breaker_gauge_.set(2); break;
  }
}

std::shared_ptr<InstanceState> InstanceRegistry::get(config::Side side, const std::string& url) {
  std::lock_guard lock(mutex_);
  auto& slot = states_[{side, url}];
  if (!slot) slot = std::make_shared<InstanceState>(side, url, metrics_, log_);
  return slot;
}

}  // namespace parity::upstream
