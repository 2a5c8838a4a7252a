#pragma once
// The traffic capture: samples routed requests (shadow/capture_policy.h), strips secrets and per-hop
// headers, and hands the traffic line to the capture file's background writer. Settings are read from
// each request's config snapshot, so enabled/sample_percent/rate_per_s/routes/max_body_bytes follow
// reloads; the file's path and rotation are fixed when the gateway starts. A full writer queue drops
// the request: counted in parity_capture_dropped_total and warned about (throttled).
#include <spdlog/logger.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/warning_throttle.h"
#include "shadow/capture_policy.h"
#include "shadow/traffic_capture.h"
#include "store/capture_file.h"

namespace parity::shadow {

struct CaptureServiceDeps {
  std::shared_ptr<spdlog::logger> log;
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  store::BufferedWriter<store::TrafficRequest>* file = nullptr;  // the capture file (tests: any writer)
};

class CaptureService final : public TrafficCapture {
 public:
  explicit CaptureService(CaptureServiceDeps deps);
  void offer(const MirrorContext& context) override;

  // The plain-value part of offer(), for tests: decides with `sample` and enqueues. Returns whether
  // the request was enqueued.
  bool offer_plain(const config::Config& config, const config::RouteConfig& route, HttpRequest request,
                   CaptureOrigin origin, double sample);

  // Registers the capture file's written/failed counts with the metrics registry.
  static void export_file_stats(MetricsRegistry& metrics, const store::CaptureFile& file);

 private:
  CaptureServiceDeps deps_;
  CaptureRateLimit rate_limit_;
  WarningThrottle queue_full_warning_{std::chrono::seconds(10)};
  Counter& dropped_queue_full_;
  Counter& skipped_rate_limit_;
};

}  // namespace parity::shadow
