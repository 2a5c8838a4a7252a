#pragma once
// Active health checks: one coroutine (on the first event loop) probes every instance of each
// backend that has `health_check:` configured, every interval_ms, and records the outcome in the
// shared InstanceRegistry (which takes instances out of rotation and back). Follows reloads.
#include "gateway/server_state.h"

namespace parity::gateway {

asio::awaitable<void> run_health_checks(ServerState& state, EventLoop& loop);

// One GET of `path` on an instance with its own short-lived connection; ok when a status < 500
// arrives within `timeout`. `detail` says why not.
asio::awaitable<bool> probe_instance(EventLoop& loop, const Snapshot& snapshot, config::Side side,
                                     const config::BackendConfig::Instance& instance, const std::string& path,
                                     std::chrono::milliseconds timeout, std::string& detail);

}  // namespace parity::gateway
