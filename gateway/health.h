#pragma once
// GET /health: the gateway's own state and a live probe of each backend.
#include <string>

#include "gateway/server_state.h"

namespace parity::gateway {

struct HealthReport {
  int status = 200;  // 503 when the served backend is down or the gateway is draining
  std::string body;  // JSON
};

asio::awaitable<HealthReport> check_health(ServerState& state, EventLoop& loop, const Snapshot& snapshot);

}  // namespace parity::gateway
