#pragma once
// The admin API's request handling, without the HTTP server (unit-testable): bearer-token check,
// routing of the five endpoints, JSON in and out. AdminServer (admin_server.h) puts it on a loopback
// cpp-httplib listener.
//
//   GET  /status      serve, mirror, config version, counters, guard, last switch
//   GET  /aggregates  the live parity aggregates (report JSON)
//   POST /serve       {"serve": "legacy"|"candidate", "reason": "…"}
//   POST /reload      {"reason": "…"} (optional): re-reads the file; 422 with the errors when invalid
//   POST /mirror      {"enabled": true|false, "reason": "…"}
#include <spdlog/logger.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/metrics.h"
#include "gateway/control.h"

namespace parity::gateway {

// What the admin API acts on (the running gateway; a fake in tests).
class AdminTarget {
 public:
  virtual ~AdminTarget() = default;
  virtual nlohmann::json status() = 0;
  virtual nlohmann::json aggregates() = 0;
  virtual ChangeResult set_serve(config::Side serve, const Actor& actor, const std::string& reason) = 0;
  virtual ChangeResult set_mirror(bool enabled, const Actor& actor, const std::string& reason) = 0;
  virtual ChangeResult reload(const Actor& actor, const std::string& reason) = 0;
};

struct AdminRequest {
  std::string method;
  std::string path;
  std::string authorization;  // the Authorization header
  std::string actor;          // the X-Parity-Actor header
  std::string peer;           // the client's address
  std::string body;
};

struct AdminResponse {
  int status = 200;
  nlohmann::json body;
};

// Compares in time independent of where the strings differ (a token must not leak byte by byte).
bool constant_time_equal(const std::string& a, const std::string& b);

class AdminApi {
 public:
  // `token` must not be empty (an empty token means the API is off and never constructed).
  AdminApi(AdminTarget& target, std::string token, MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log);

  AdminResponse handle(const AdminRequest& request);

 private:
  AdminResponse change(const ChangeResult& result);

  AdminTarget& target_;
  const std::string token_;
  std::shared_ptr<spdlog::logger> log_;
  Counter& unauthorized_;
  Counter& requests_;
};

}  // namespace parity::gateway
