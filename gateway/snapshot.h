#pragma once
// One immutable view of the configuration plus what is derived from it (client TLS contexts).
// Requests take the current snapshot when they start and finish on it, whatever reloads happen.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/asio.h"
#include "gateway/protect/admission.h"

namespace parity::gateway {

struct Snapshot {
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<asio::ssl::context> legacy_tls;     // null for http backends
  std::shared_ptr<asio::ssl::context> candidate_tls;
  std::uint64_t version = 0;
  // The listener's TLS context (null with insecure_http): new connections take it from the current
  // snapshot, so a reload serves a renewed certificate without a restart.
  std::shared_ptr<asio::ssl::context> server_tls;
  std::shared_ptr<const protect::Policies> protect;  // access, CORS (never null)

  const std::shared_ptr<asio::ssl::context>& tls_for(config::Side side) const {
    return side == config::Side::legacy ? legacy_tls : candidate_tls;
  }
};

// Derives a snapshot; nullptr and `error` when a backend's TLS settings cannot be loaded. TLS
// contexts of backends whose settings did not change are taken from `previous`, so their pooled
// connections survive the reload. The listener's certificate, key and client CA are read from their
// files again when `reload_files` (a reload) or when the tls settings changed; a serve switch or a guard
// rollback keeps the previous context, so it cannot fail on a file.
std::shared_ptr<const Snapshot> make_snapshot(std::shared_ptr<const config::Config> config, std::uint64_t version,
                                              const Snapshot* previous, std::string& error,
                                              bool reload_files = true);

// The current snapshot, swapped atomically on reload.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Snapshot> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const Snapshot> next) { current_.store(std::move(next), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace parity::gateway
