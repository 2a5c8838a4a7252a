#include "gateway/health.h"

#include <nlohmann/json.hpp>

#include "gateway/health_checks.h"

namespace parity::gateway {
namespace {

constexpr std::chrono::milliseconds kProbeTimeout{2000};

// A live probe of every instance; the backend is up when one of its instances is. Each instance also
// shows its active-check health and circuit breaker state (shared by all event loops).
asio::awaitable<nlohmann::json> probe(ServerState& state, EventLoop& loop, const Snapshot& snapshot,
                                      config::Side side) {
  const auto& backend = snapshot.config->backend(side);
  nlohmann::json instances = nlohmann::json::array();
  nlohmann::json first_error;
  bool any_up = false;
  double first_latency_ms = 0;
  for (const auto& instance : backend.instances) {
    auto started = std::chrono::steady_clock::now();
    std::string detail;
    bool ok = co_await probe_instance(loop, snapshot, side, instance, backend.health_path, kProbeTimeout, detail);
    double latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    auto instance_state = state.instances.get(side, instance.url);
    nlohmann::json out = {{"url", instance.url},
                          {"weight", instance.weight},
                          {"status", ok ? "up" : "down"},
                          {"latency_ms", latency_ms},
                          {"healthy", instance_state->healthy()},
                          {"breaker", upstream::to_string(instance_state->breaker_state())}};
    if (!ok) out["error"] = detail;
    if (!ok && first_error.is_null()) first_error = detail;
    if (instances.empty()) first_latency_ms = latency_ms;
    any_up = any_up || ok;
    instances.push_back(std::move(out));
  }
  nlohmann::json out = {{"url", backend.url},
                        {"status", any_up ? "up" : "down"},
                        {"latency_ms", first_latency_ms},
                        {"balance", config::to_string(backend.balance)},
                        {"instances", std::move(instances)}};
  if (!any_up && !first_error.is_null()) out["error"] = first_error;
  co_return out;
}

}  // namespace

asio::awaitable<HealthReport> check_health(ServerState& state, EventLoop& loop, const Snapshot& snapshot) {
  const auto& cfg = *snapshot.config;
  nlohmann::json backends = nlohmann::json::object();
  for (auto side : {config::Side::legacy, config::Side::candidate}) {
    // A named result, not `x = co_await …`: GCC 12 can destroy co_await temporaries twice.
    nlohmann::json result = co_await probe(state, loop, snapshot, side);
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
