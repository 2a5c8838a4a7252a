#pragma once
// The admin API's loopback listener: cpp-httplib on a thread pool of its own, apart from the data
// plane's event loops (see shared/notes/http-stack.md for why cpp-httplib fits here and not there).
#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>

#include "gateway/admin_api.h"

namespace parity::gateway {

class AdminServer {
 public:
  AdminServer(AdminApi& api, std::shared_ptr<spdlog::logger> log);
  ~AdminServer();  // stops and joins

  // Binds `listen` (host:port; port 0 picks one) and starts serving; false and `error` on failure.
  bool start(const std::string& listen, std::string& error);
  std::uint16_t port() const;
  // Stops accepting and joins the listener thread; idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parity::gateway
