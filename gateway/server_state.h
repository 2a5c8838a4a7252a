#pragma once
// State shared by the listener and the connection coroutines (internal to gateway/).
#include <atomic>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <memory>
#include <random>

#include "core/warning_throttle.h"
#include "gateway/asio.h"
#include "gateway/protect/rate_limiter.h"
#include "gateway/request_metrics.h"
#include "gateway/server.h"
#include "gateway/snapshot.h"
#include "gateway/upstream/pool_set.h"

namespace parity::gateway {

// A connection's handle for the drain: lets the loop close it while it waits for a next request.
struct ConnectionHandle {
  bool idle = false;
  std::function<void()> close;
};

// One event loop: an io_context run by one thread, with its own pools and random source, so a
// request never crosses threads on the client path.
struct EventLoop {
  EventLoop(std::uint64_t seed, upstream::InstanceRegistry* instances, MetricsRegistry& metrics)
      : random(seed),
        pools(io.get_executor(), instances, seed + 1),
        mirror_pools(io.get_executor(), instances, seed + 2),
        request_metrics(metrics) {}
  asio::io_context io{1};
  std::mt19937_64 random;
  upstream::PoolSet pools;         // the served side's connections
  upstream::PoolSet mirror_pools;  // the shadow's own connections, with the mirror timeout
  std::list<ConnectionHandle*> connections;  // touched only on this loop's thread
  RequestMetrics request_metrics;            // likewise
};

struct ServerState {
  ServerDeps deps;
  SnapshotHolder snapshot;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> requests_in_flight{0};
  upstream::InstanceRegistry instances;  // breaker and health state of every backend instance
  protect::RateLimiter rate_limiter;  // outlives reloads: a reload does not refill every bucket
  std::atomic<std::size_t> rate_limit_overflows_seen{0};
  std::mutex rejection_logs_mutex;
  std::map<std::string, std::unique_ptr<WarningThrottle>, std::less<>> rejection_logs;  // one per reason

  // Counts a request or connection the gateway refused (parity_rejected_total{reason}) and logs it,
  // at most one line per reason per 10 s. `detail` must never carry a credential.
  void rejected(std::string_view reason, std::string_view client, std::string_view detail);

  ServerState(ServerDeps d, std::shared_ptr<const Snapshot> initial)
      : deps(std::move(d)), snapshot(std::move(initial)), instances(*deps.metrics, deps.log, *deps.clock) {}
};

// Serves one accepted client connection until it closes (runs on the socket's loop).
asio::awaitable<void> serve_connection(ServerState& state, EventLoop& loop, tcp::socket socket);

}  // namespace parity::gateway
