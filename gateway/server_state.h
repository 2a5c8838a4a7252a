#pragma once
// State shared by the listener and the connection coroutines (internal to gateway/).
#include <atomic>
#include <list>
#include <memory>
#include <random>

#include "gateway/asio.h"
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
  EventLoop(std::uint64_t seed, upstream::InstanceRegistry* instances)
      : random(seed), pools(io.get_executor(), instances, seed + 1), mirror_pools(io.get_executor(), instances, seed + 2) {}
  asio::io_context io{1};
  std::mt19937_64 random;
  upstream::PoolSet pools;         // the served side's connections
  upstream::PoolSet mirror_pools;  // the shadow's own connections, with the mirror timeout
  std::list<ConnectionHandle*> connections;  // touched only on this loop's thread
};

struct ServerState {
  ServerDeps deps;
  SnapshotHolder snapshot;
  std::shared_ptr<asio::ssl::context> server_tls;  // null with insecure_http
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> requests_in_flight{0};
  upstream::InstanceRegistry instances;  // breaker and health state of every backend instance

  ServerState(ServerDeps d, std::shared_ptr<const Snapshot> initial)
      : deps(std::move(d)), snapshot(std::move(initial)), instances(*deps.metrics, deps.log, *deps.clock) {}
};

// Serves one accepted client connection until it closes (runs on the socket's loop).
asio::awaitable<void> serve_connection(ServerState& state, EventLoop& loop, tcp::socket socket);

}  // namespace parity::gateway
