#pragma once
// The shadow stage: decides, sends the copy on the shadow's own pool off the client's path, joins it
// with the served response, and hands the pair to the diff workers. Every degraded mode — queue full,
// shadow failure or timeout, diff queue full, the byte budget reached — logs a throttled warning and
// counts a metric.
#include <spdlog/logger.h>

#include <atomic>
#include <functional>
#include <memory>

#include "core/bounded_workers.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/warning_throttle.h"
#include "shadow/exchange_recorder.h"
#include "shadow/mirror.h"

namespace parity::shadow {

struct MirrorServiceDeps {
  std::shared_ptr<spdlog::logger> log;
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  RecorderDeps recorder;
  std::size_t diff_threads = 1;
  // Called on a diff worker with each record once it is stored (the cut-over guard counts verdicts).
  std::function<void(const store::Record&)> on_record;
};

class MirrorService final : public Mirror {
 public:
  explicit MirrorService(MirrorServiceDeps deps);
  ~MirrorService() override;  // finishes the diffs already queued

  std::shared_ptr<ServedCapture> begin(const MirrorContext& context) override;
  std::size_t in_flight() const override { return in_flight_.load(); }
  // Blocks until every queued diff has been recorded (shutdown, tests).
  void wait_idle() { workers_.wait_idle(); }
  const ExchangeRecorder& recorder() const { return recorder_; }

  // Internal, for PendingExchange: a joined exchange is ready (with the bytes it holds) / dropped / a
  // slot is released.
  void submit(CompletedExchange exchange, std::size_t held_bytes);
  void drop_client_left(const std::string& request_id, std::size_t held_bytes);
  void drop_over_budget(const std::string& request_id, std::size_t held_bytes, std::size_t max_bytes);
  void release_slot() { in_flight_.fetch_sub(1); }
  // Takes `bytes` from the budget of `max_bytes`; false, taking nothing, when that would pass it.
  bool take_bytes(std::size_t bytes, std::size_t max_bytes);
  void give_back_bytes(std::size_t bytes);

 private:
  void warn(WarningThrottle& throttle, const std::string& message);

  MirrorServiceDeps deps_;
  ExchangeRecorder recorder_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> bytes_held_{0};
  WarningThrottle queue_full_warning_{std::chrono::seconds(10)};
  WarningThrottle diff_full_warning_{std::chrono::seconds(10)};
  WarningThrottle shadow_error_warning_{std::chrono::seconds(10)};
  WarningThrottle client_left_warning_{std::chrono::seconds(10)};
  WarningThrottle memory_warning_{std::chrono::seconds(10)};
  Counter& mirrored_;
  Counter& dropped_queue_full_;
  Counter& dropped_diff_full_;
  Counter& dropped_client_left_;
  Counter& dropped_memory_;
  Gauge& bytes_held_gauge_;
  BoundedWorkers workers_;  // last: destroyed (and drained) first
  friend class PendingExchange;
};

}  // namespace parity::shadow
