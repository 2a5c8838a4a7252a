#pragma once
// The upstream pools of one event loop: one per side, kept across reloads and serve switches and
// replaced only when that backend's address or TLS settings change.
#include <memory>

#include "gateway/snapshot.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::upstream {

class PoolSet {
 public:
  explicit PoolSet(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  Pool& get(config::Side side, const gateway::Snapshot& snapshot);
  void close_idle();

 private:
  struct Entry {
    std::string url;
    const asio::ssl::context* tls = nullptr;
    std::unique_ptr<Pool> pool;
  };
  asio::any_io_executor executor_;
  Entry legacy_;
  Entry candidate_;
};

}  // namespace parity::upstream
