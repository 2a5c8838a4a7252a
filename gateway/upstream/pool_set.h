#pragma once
// The upstream pools of one event loop: one per backend instance per side, kept across reloads and
// serve switches and replaced only when that instance's address, TLS settings or timeouts change.
// Pools are shared_ptrs: an exchange in flight keeps its pool alive even if a reload replaces it.
// pick() applies the backend's balancing policy over the instances that are healthy and whose
// circuit breaker lets a request through (state shared by all loops in the InstanceRegistry).
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "gateway/snapshot.h"
#include "gateway/upstream/balancer.h"
#include "gateway/upstream/instance_registry.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::upstream {

struct Pick {
  std::shared_ptr<Pool> pool;
  std::shared_ptr<InstanceState> state;  // null without a registry
  const config::BackendConfig::Instance* instance = nullptr;  // in the snapshot's config
  std::size_t index = 0;
};

class PoolSet {
 public:
  // `registry` may be null (no breaker or health state: every instance is available).
  PoolSet(asio::any_io_executor executor, InstanceRegistry* registry, std::uint64_t seed)
      : executor_(std::move(executor)), registry_(registry), random_(seed) {}

  // Chooses an instance of `side`, preferring ones not in `tried`. When active checks find every
  // instance unhealthy, they are tried anyway (a check can be wrong; the breaker still protects).
  // nullopt when every instance's breaker is open. `read_timeout` overrides the backend's timeout_ms
  // (the mirror pools use mirror.timeout_ms).
  std::optional<Pick> pick(config::Side side, const gateway::Snapshot& snapshot,
                           std::optional<std::chrono::milliseconds> read_timeout = std::nullopt,
                           const std::vector<std::size_t>& tried = {});
  // Feeds the instance's breaker with the outcome of an exchange.
  void report(const Pick& pick, const Result& result);
  void close_idle();
  // Run every second or so by the loop: without it a pool reaps its idle connections only when it is
  // next used, and one that is not (the former served side after a switch, with the mirror off) would
  // hold their sockets as long as the gateway runs — in CLOSE_WAIT once the backend closes its end.
  void sweep_idle(std::chrono::steady_clock::time_point now);

 private:
  struct Entry {
    std::string url;
    const asio::ssl::context* tls = nullptr;
    std::shared_ptr<Pool> pool;
    std::shared_ptr<InstanceState> state;
  };
  struct SideEntries {
    std::vector<Entry> entries;
    Balancer balancer;
  };
  Entry& entry_for(SideEntries& side_entries, config::Side side, std::size_t index, const gateway::Snapshot& snapshot,
                   std::optional<std::chrono::milliseconds> read_timeout);

  asio::any_io_executor executor_;
  InstanceRegistry* registry_;
  std::mt19937_64 random_;
  SideEntries legacy_;
  SideEntries candidate_;
};

// The Host header for a backend URL ("host:port", the port omitted when it is the scheme's default).
std::string host_header(const config::Url& url);

}  // namespace parity::upstream
