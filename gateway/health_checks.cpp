#include "gateway/health_checks.h"

#include <map>

namespace parity::gateway {

asio::awaitable<bool> probe_instance(EventLoop& loop, const Snapshot& snapshot, config::Side side,
                                     const config::BackendConfig::Instance& instance, const std::string& path,
                                     std::chrono::milliseconds timeout, std::string& detail) {
  const auto& backend = snapshot.config->backend(side);
  // A probe uses a short-lived pool of its own so a hung instance cannot hold up pooled requests.
  auto target = upstream::Target::from_backend(backend);
  target.host = instance.parsed.host;
  target.port = instance.parsed.port;
  target.tls = instance.parsed.scheme == "https";
  target.connect_timeout = std::min(target.connect_timeout, timeout);
  target.read_timeout = timeout;
  target.max_idle = 0;
  upstream::Pool pool(loop.io.get_executor(), target, snapshot.tls_for(side));
  upstream::Request request{http::verb::get, instance.parsed.base_path + path, 11};
  request.set(http::field::host, upstream::host_header(instance.parsed));
  request.set(http::field::user_agent, "parity-health");
  auto response = co_await upstream::fetch(pool, request, 4096);
  if (response.result.failure != upstream::Failure::none) {
    detail = std::string(upstream::to_string(response.result.failure)) + ": " + response.result.error;
    co_return false;
  }
  if (response.result.status >= 500) {
    detail = "status " + std::to_string(response.result.status);
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> run_health_checks(ServerState& state, EventLoop& loop) {
  using namespace std::chrono;
  // When each side was last probed (steady time); a side is probed again after its interval.
  std::map<config::Side, steady_clock::time_point> last_probe;
  auto& probes = state.deps.metrics->counter("parity_health_checks_total", {}, "Active health probes sent");
  while (!state.draining.load()) {
    auto snapshot = state.snapshot.get();
    milliseconds next_wait{500};  // re-read the config this often when no side is checked
    for (auto side : {config::Side::legacy, config::Side::candidate}) {
      const auto& backend = snapshot->config->backend(side);
      const auto& hc = backend.health_check;
      if (hc.interval_ms <= 0) continue;
      const auto interval = milliseconds(hc.interval_ms);
      const auto now = state.deps.clock->steady_now();
      auto it = last_probe.find(side);
      if (it == last_probe.end() || now - it->second >= interval) {
        last_probe[side] = now;
        const std::string path = hc.path.empty() ? backend.health_path : hc.path;
        for (const auto& instance : backend.instances) {
          std::string detail;
          bool ok = co_await probe_instance(loop, *snapshot, side, instance, path, milliseconds(hc.timeout_ms), detail);
          probes.inc();
          state.instances.get(side, instance.url)->record_probe(ok, detail, hc);
        }
        next_wait = std::min(next_wait, interval);
      } else {
        next_wait = std::min(next_wait, duration_cast<milliseconds>(interval - (now - it->second)));
      }
    }
    asio::steady_timer timer(loop.io.get_executor(), std::max(next_wait, milliseconds(10)));
    error_code ec;
    co_await timer.async_wait(await_ec(ec));
  }
}

}  // namespace parity::gateway
