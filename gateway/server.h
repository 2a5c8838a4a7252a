#pragma once
// The gateway's data plane: an HTTPS (or, for development, plain HTTP) listener on N event loops,
// one coroutine per client connection, proxying to the served backend through pooled connections.
#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/snapshot.h"

namespace parity::shadow {
class Mirror;
}

namespace parity::gateway {

struct ServerDeps {
  std::shared_ptr<spdlog::logger> log;         // operational messages
  std::shared_ptr<spdlog::logger> access_log;  // one JSON line per request; may be null
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  std::uint64_t seed = 0;                      // seeds each loop's random source
  shadow::Mirror* mirror = nullptr;            // null = no mirroring
  // Re-reads the configuration for SIGHUP; returns errors instead of a config when it is invalid.
  std::function<config::LoadResult()> reload_source;
};

class Server {
 public:
  Server(std::shared_ptr<const config::Config> config, ServerDeps deps);
  ~Server();

  // Binds the listener and prepares TLS; false and `error` (for the operator) on failure.
  bool start(std::string& error);
  // Runs the event loops until a drain completes (SIGTERM/SIGINT or stop()). Blocks.
  void run();
  // Stops accepting, lets requests in flight finish (bounded by limits.drain_timeout_ms), then returns
  // from run(). Thread-safe.
  void stop();
  // Validates and swaps in a new configuration; requests in flight keep their snapshot.
  bool reload(std::shared_ptr<const config::Config> config, std::string& error);

  std::uint16_t port() const;
  std::shared_ptr<const Snapshot> snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parity::gateway
