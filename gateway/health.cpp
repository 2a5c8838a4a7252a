#include "gateway/health.h"

#include <nlohmann/json.hpp>

namespace parity::gateway {
namespace {

constexpr std::chrono::milliseconds kProbeTimeout{2000};

asio::awaitable<nlohmann::json> probe(EventLoop& loop, const Snapshot& snapshot, config::Side side) {
  const auto& backend = snapshot.config->backend(side);
  // A probe uses a short-lived pool of its own so a hung backend cannot hold up pooled requests.
  auto target = upstream::Target::from_backend(backend);
  target.connect_timeout = std::min(target.connect_timeout, kProbeTimeout);
  target.read_timeout = kProbeTimeout;
  target.max_idle = 0;
  upstream::Pool pool(loop.io.get_executor(), target, snapshot.tls_for(side));
  upstream::Request request{http::verb::get, backend.parsed.base_path + backend.health_path, 11};
  request.set(http::field::host, backend.parsed.host);
  request.set(http::field::user_agent, "parity-health");
  auto response = co_await upstream::fetch(pool, request, 4096);
  nlohmann::json out = {{"url", backend.url},
                        {"latency_ms", static_cast<double>(response.result.latency.count()) / 1000.0}};
  if (response.result.failure != upstream::Failure::none) {
    out["status"] = "down";
    out["error"] = response.result.error;
  } else {
    out["status"] = response.result.status < 500 ? "up" : "down";
    out["http_status"] = response.result.status;
  }
  co_return out;
}

}  // namespace

asio::awaitable<HealthReport> check_health(ServerState& state, EventLoop& loop, const Snapshot& snapshot) {
  const auto& cfg = *snapshot.config;
  nlohmann::json backends = nlohmann::json::object();
  for (auto side : {config::Side::legacy, config::Side::candidate}) {
    // A named result, not `x = co_await …`: GCC 12 can destroy co_await temporaries twice.
    nlohmann::json result = co_await probe(loop, snapshot, side);
    backends[config::to_string(side)] = std::move(result);
  }
  bool served_up = backends[config::to_string(cfg.serve)]["status"] == "up";
  bool draining = state.draining.load();
  nlohmann::json body = {{"status", draining ? "draining" : served_up ? "ok" : "degraded"},
                         {"serve", config::to_string(cfg.serve)},
                         {"config_version", snapshot.version},
                         {"mirror", cfg.mirror.enabled},
                         {"connections", state.connections.load()},
                         {"backends", backends}};
  co_return HealthReport{served_up && !draining ? 200 : 503, body.dump()};
}

}  // namespace parity::gateway
