#pragma once
// The one path by which the running configuration changes: reload (SIGHUP, `parity ctl reload`, the
// admin API), serve switch, mirror on/off, and the guard's rollback. Each builds a complete new Config,
// validates it, derives a snapshot from the current one (TLS contexts, hence pooled connections, are
// kept), swaps it in atomically, bumps the version, logs, counts and writes an audit line. Requests in
// flight finish on the snapshot they started with. Changes are serialised by one mutex.
//
// Precedence: the last change wins. A reload re-applies the file, so a runtime switch lasts until the
// next reload — except after a guard rollback: while that "guard latch" is set, a reload whose file
// still says `serve: candidate` (as it did before) keeps legacy. The latch is cleared by an explicit
// serve command or by a reload whose file changed `serve`.
#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/guard.h"
#include "gateway/snapshot.h"
#include "store/audit_log.h"

namespace parity::gateway {

// Who asked for a change: "sighup", "ctl:alice", "admin-api", "guard"; and from where.
struct Actor {
  std::string who;
  std::string peer;  // the admin client's address; empty for signals and the guard
};

struct ChangeResult {
  enum class Status { applied, unchanged, rejected };
  Status status = Status::rejected;
  std::uint64_t version = 0;               // the version in force afterwards
  std::vector<config::ConfigError> errors; // why it was rejected
  std::string message;                     // one line for the operator
};

struct ControlDeps {
  std::shared_ptr<spdlog::logger> log;
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  std::function<config::LoadResult()> reload_source;  // re-reads the file (+ env and flags of the start)
  store::AuditLog* audit = nullptr;                   // may be null (no trail)
  CutoverGuard* guard = nullptr;                      // may be null (no guard)
};

class Control {
 public:
  Control(SnapshotHolder& holder, ControlDeps deps);

  // The initial snapshot (version 1); false and `error` when it cannot be derived.
  bool init(std::shared_ptr<const config::Config> config, std::string& error);

  ChangeResult reload(const Actor& actor, const std::string& reason);
  // A config built elsewhere (Server::reload, tests).
  ChangeResult apply_config(std::shared_ptr<const config::Config> config, const Actor& actor, const std::string& reason);
  ChangeResult set_serve(config::Side serve, const Actor& actor, const std::string& reason);
  ChangeResult set_mirror(bool enabled, const Actor& actor, const std::string& reason);
  // The guard tripped: back to legacy and latch (a no-op when legacy is already served).
  ChangeResult guard_rollback(const std::string& reason);

  // {config_version, serve, mirror, guard: {configured, armed, latched, window, trips, …}, last_switch}
  nlohmann::json status() const;

 private:
  // Everything below requires mutex_.
  ChangeResult apply(config::Config next, const Actor& actor, const std::string& action, const std::string& reason);
  ChangeResult reject(const Actor& actor, const std::string& action, const std::string& reason,
                      std::vector<config::ConfigError> errors);
  void audit(const Actor& actor, const std::string& action, const std::string& from, const std::string& to,
             const std::string& reason, const std::string& result);

  SnapshotHolder& holder_;
  ControlDeps deps_;
  mutable std::mutex mutex_;
  std::uint64_t version_ = 0;
  bool guard_latched_ = false;
  std::optional<config::Side> file_serve_;  // `serve` of the last file that was applied
  nlohmann::json last_switch_;              // null until the first serve change
  Counter& guard_trips_;
};

const char* to_string(ChangeResult::Status status);

}  // namespace parity::gateway
