#pragma once
// Where a backend's connections go: its addresses, resolved at most a second ago.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/asio.h"

namespace parity::upstream {

// A pool opens a connection whenever it has none idle: always while a backend refuses connections,
// often while one closes its keep-alive connections. Resolving the host each time cost a hop to
// Asio's resolver thread and a getaddrinfo (a netlink query even for "127.0.0.1"; a DNS query for a
// name): with a shadow refusing connections, ~7,000 a second. An IP address is never resolved; a
// name is resolved again once its addresses are `ttl` old, so a DNS change is followed within it.
// Used from one event loop (a pool's), like the pool.
class EndpointCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kDefaultTtl = std::chrono::seconds(1);

  EndpointCache(const std::string& host, std::uint16_t port, Clock::duration ttl = kDefaultTtl);

  // The addresses to connect to, when they need no resolving now: the host's own, if it is an IP
  // address, or those stored less than `ttl` before `now`. A copy: a connect in progress keeps its
  // own while another one stores newer ones.
  std::optional<std::vector<tcp::endpoint>> fresh(Clock::time_point now) const;
  void store(std::vector<tcp::endpoint> endpoints, Clock::time_point now);

 private:
  Clock::duration ttl_;
  bool literal_ = false;
  std::vector<tcp::endpoint> endpoints_;
  std::optional<Clock::time_point> resolved_at_;
};

}  // namespace parity::upstream
