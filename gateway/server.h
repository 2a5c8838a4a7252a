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
#include "gateway/control.h"
#include "gateway/guard.h"
#include "gateway/snapshot.h"

namespace parity::shadow {
class Mirror;
class TrafficCapture;
}
namespace parity::report {
class LiveAggregates;
}

namespace parity::gateway {

struct ServerDeps {
  std::shared_ptr<spdlog::logger> log;         // operational messages
  std::shared_ptr<spdlog::logger> access_log;  // one JSON line per request; may be null
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  std::uint64_t seed = 0;                      // seeds each loop's random source
  shadow::Mirror* mirror = nullptr;            // null = no mirroring
  shadow::TrafficCapture* traffic_capture = nullptr;  // null = no capture (capture.enabled is read per request)
  // Re-reads the configuration for SIGHUP, `parity ctl reload` and POST /reload; returns errors
  // instead of a config when it is invalid.
  std::function<config::LoadResult()> reload_source;
  CutoverGuard* guard = nullptr;               // null = no automatic rollback
  report::LiveAggregates* live = nullptr;      // GET /aggregates of the admin API; may be null
  std::string instance;                        // shown by the admin API's status
  // Reads the admin token from the variable named by admin.token_env (injected for tests).
  config::EnvLookup env = config::process_env;
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
  // Every runtime change (reload, serve, mirror, guard rollback) goes through this one path.
  Control& control();
  // The admin API's port (0 when it is off).
  std::uint16_t admin_port() const;

  std::uint16_t port() const;
  std::shared_ptr<const Snapshot> snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parity::gateway
