#include "gateway/request_metrics.h"

namespace parity::gateway {

void RequestMetrics::record(std::string_view route, int status, std::string_view backend, double latency_ms) {
  // Route names and backend names never contain NUL: it separates the parts of the key.
  key_.assign(route).push_back('\0');
  key_.append(backend);
  auto latency = latencies_.find(key_);
  if (latency == latencies_.end()) {
    Histogram& h = registry_.histogram("parity_request_duration_ms",
                                       {{"route", std::string(route)}, {"backend", std::string(backend)}},
                                       "Client request latency through the gateway, in milliseconds");
    latency = latencies_.emplace(key_, &h).first;
  }
  latency->second->observe_ms(latency_ms);
  key_.push_back('\0');
  key_.append(std::to_string(status));
  auto requests = requests_.find(key_);
  if (requests == requests_.end()) {
    Counter& c = registry_.counter(
        "parity_requests_total",
        {{"route", std::string(route)}, {"status", std::to_string(status)}, {"backend", std::string(backend)}},
        "Client requests by route, status and the backend that answered");
    requests = requests_.emplace(key_, &c).first;
  }
  requests->second->inc();
}

}  // namespace parity::gateway
