#include <catch2/catch.hpp>

#include "gateway/request_metrics.h"

namespace parity::gateway {

TEST_CASE("RequestMetrics counts into the registry's labelled series, each label set apart") {
  MetricsRegistry registry;
  RequestMetrics metrics(registry);
  metrics.record("/v1/models", 200, "legacy", 1.5);
  metrics.record("/v1/models", 200, "legacy", 2.5);
  metrics.record("/v1/models", 502, "legacy", 0.5);
  metrics.record("/v1/chat", 200, "candidate", 7.0);

  auto& ok = registry.counter("parity_requests_total",
                              {{"route", "/v1/models"}, {"status", "200"}, {"backend", "legacy"}}, "");
  auto& failed = registry.counter("parity_requests_total",
                                  {{"route", "/v1/models"}, {"status", "502"}, {"backend", "legacy"}}, "");
  auto& chat = registry.counter("parity_requests_total",
                                {{"route", "/v1/chat"}, {"status", "200"}, {"backend", "candidate"}}, "");
  CHECK(ok.value() == 2);
  CHECK(failed.value() == 1);
  CHECK(chat.value() == 1);
  CHECK(registry.counter_total("parity_requests_total") == 4);

  auto& models_latency =
      registry.histogram("parity_request_duration_ms", {{"route", "/v1/models"}, {"backend", "legacy"}}, "");
  CHECK(models_latency.count() == 3);
  CHECK(models_latency.sum_ms() == Approx(4.5));
  const std::string text = registry.render_prometheus();
  CHECK(text.find("# HELP parity_requests_total Client requests by route, status and the backend that answered") !=
        std::string::npos);
  CHECK(text.find("parity_request_duration_ms_count{route=\"/v1/chat\",backend=\"candidate\"} 1") != std::string::npos);
}

}  // namespace parity::gateway
