#include "shadow/capture_service.h"

namespace parity::shadow {

CaptureService::CaptureService(CaptureServiceDeps deps)
    : deps_(std::move(deps)),
      dropped_queue_full_(deps_.metrics->counter("parity_capture_dropped_total", {{"reason", "queue_full"}},
                                                 "Sampled requests not captured, by reason")),
      skipped_rate_limit_(deps_.metrics->counter("parity_capture_dropped_total", {{"reason", "rate_limit"}},
                                                 "Sampled requests not captured, by reason")) {}

bool CaptureService::offer_plain(const config::Config& cfg, const config::RouteConfig& route, HttpRequest request,
                                 CaptureOrigin origin, double sample) {
  if (!decide_capture(cfg, route, sample)) return false;
  if (!rate_limit_.admit(cfg.capture.rate_per_s, deps_.clock->steady_now())) {
    skipped_rate_limit_.inc();  // the configured cap, not a fault: counted, not warned about
    return false;
  }
  const std::string route_name = origin.route;
  if (!deps_.file->push(make_capture(std::move(request), std::move(origin), cfg.capture.max_body_bytes,
                                     cfg.store.redact_headers))) {
    dropped_queue_full_.inc();
    if (auto held = queue_full_warning_.admit(deps_.clock->steady_now())) {
      deps_.log->warn("capture queue full ({}): dropping captures; clients are unaffected ({} more since the last "
                      "warning)",
                      cfg.capture.queue, *held);
    }
    return false;
  }
  deps_.metrics->counter("parity_captured_total", {{"route", route_name}}, "Requests written to the capture file")
      .inc();
  return true;
}

void CaptureService::offer(const MirrorContext& ctx) {
  const auto& cfg = *ctx.snapshot.config;
  if (!cfg.capture.enabled) return;  // the common case: no conversion, no random draw
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double sample = uniform(ctx.random);
  if (!decide_capture(cfg, ctx.route, sample)) return;
  // Convert at the edge: the request as sent upstream, with the routed target (no backend base path).
  HttpRequest plain;
  plain.method = std::string(sv(ctx.request.method_string()));
  plain.target = std::string(ctx.upstream_target);
  for (const auto& field : ctx.request) {
    plain.headers.emplace_back(std::string(sv(field.name_string())), std::string(sv(field.value())));
  }
  const auto& body = ctx.request.body();
  plain.body.assign(body.data(), std::min(body.size(), cfg.capture.max_body_bytes + 1));
  CaptureOrigin origin{deps_.clock->now(), std::string(ctx.client), ctx.route.name, std::string(ctx.request_id)};
  offer_plain(cfg, ctx.route, std::move(plain), std::move(origin), sample);
}

void CaptureService::export_file_stats(MetricsRegistry& metrics, const store::CaptureFile& file) {
  metrics.add_collector([&file](std::string& out) {
    auto stats = file.stats();
    out += "# HELP parity_capture_lines_total Capture lines by outcome: written, failed (write error)\n"
           "# TYPE parity_capture_lines_total counter\n";
    out += "parity_capture_lines_total{result=\"written\"} " + std::to_string(stats.written) + "\n";
    out += "parity_capture_lines_total{result=\"failed\"} " + std::to_string(stats.failed) + "\n";
    out += "# HELP parity_capture_rotations_total Capture files rotated by size\n"
           "# TYPE parity_capture_rotations_total counter\n";
    out += "parity_capture_rotations_total " + std::to_string(file.rotations()) + "\n";
  });
}

}  // namespace parity::shadow
