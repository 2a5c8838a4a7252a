#include "gateway/upstream/endpoint_cache.h"

namespace parity::upstream {

EndpointCache::EndpointCache(const std::string& host, std::uint16_t port, Clock::duration ttl) : ttl_(ttl) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    literal_ = true;
    endpoints_.emplace_back(address, port);
  }
}

std::optional<std::vector<tcp::endpoint>> EndpointCache::fresh(Clock::time_point now) const {
  if (literal_ || (resolved_at_ && now - *resolved_at_ < ttl_)) return endpoints_;
  return std::nullopt;
}

void EndpointCache::store(std::vector<tcp::endpoint> endpoints, Clock::time_point now) {
  if (literal_ || endpoints.empty()) return;
  endpoints_ = std::move(endpoints);
  resolved_at_ = now;
}

}  // namespace parity::upstream
