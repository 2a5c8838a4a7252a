#pragma once
// The upstream pools of one event loop: one per side, kept across reloads and serve switches and
// replaced only when that backend's address, TLS settings or timeout change. Pools are shared_ptrs:
// an exchange in flight keeps its pool alive even if a reload replaces it meanwhile.
#include <chrono>
#include <memory>
#include <optional>

#include "gateway/snapshot.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::upstream {

class PoolSet {
 public:
  // `read_timeout` overrides the backends' timeout_ms (the mirror pools use mirror.timeout_ms).
  explicit PoolSet(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  std::shared_ptr<Pool> get(config::Side side, const gateway::Snapshot& snapshot,
                            std::optional<std::chrono::milliseconds> read_timeout = std::nullopt);
  void close_idle();

 private:
  struct Entry {
    std::string url;
    const asio::ssl::context* tls = nullptr;
    std::shared_ptr<Pool> pool;
  };
  asio::any_io_executor executor_;
  Entry legacy_;
  Entry candidate_;
};

// The Host header for a backend URL ("host:port", the port omitted when it is the scheme's default).
std::string host_header(const config::Url& url);

}  // namespace parity::upstream
