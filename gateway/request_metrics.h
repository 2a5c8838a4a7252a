#pragma once
// parity_requests_total{route,status,backend} and parity_request_duration_ms{route,backend}, counted
// once per client request. The registry's lookup builds the label strings and takes a lock shared by
// every event loop (its cache line bounces between cores): done per request, that was a few percent
// of the gateway's CPU. One of these per event loop remembers the handles it has looked up; the
// metrics themselves stay in the registry.
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/metrics.h"

namespace parity::gateway {

class RequestMetrics {
 public:
  explicit RequestMetrics(MetricsRegistry& registry) : registry_(registry) {}

  void record(std::string_view route, int status, std::string_view backend, double latency_ms);

 private:
  MetricsRegistry& registry_;
  std::unordered_map<std::string, Counter*> requests_;     // by route, status, backend
  std::unordered_map<std::string, Histogram*> latencies_;  // by route, backend
  std::string key_;                                        // reused: no allocation once warm
};

}  // namespace parity::gateway
