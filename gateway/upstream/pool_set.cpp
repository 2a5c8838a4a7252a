#include "gateway/upstream/pool_set.h"

#include <algorithm>
#include <boost/container/small_vector.hpp>

namespace parity::upstream {

PoolSet::Entry& PoolSet::entry_for(SideEntries& side_entries, config::Side side, std::size_t index,
                                   const gateway::Snapshot& snapshot,
                                   std::optional<std::chrono::milliseconds> read_timeout) {
  const auto& backend = snapshot.config->backend(side);
  const auto& instance = backend.instances[index];
  const auto& tls = snapshot.tls_for(side);
  if (side_entries.entries.size() != backend.instances.size()) side_entries.entries.resize(backend.instances.size());
  Entry& entry = side_entries.entries[index];
  auto target = Target::from_backend(backend);
  target.host = instance.parsed.host;
  target.port = instance.parsed.port;
  target.tls = instance.parsed.scheme == "https";
  if (read_timeout) target.read_timeout = *read_timeout;
  target.idle_keeps_timer = true;  // the gateway stops its loops; it never waits for run() to return
  // A reload that leaves this instance alone keeps its warm connections (snapshots reuse unchanged
  // TLS contexts, so the pointer comparison holds across reloads).
  bool same = entry.pool && entry.url == instance.url && entry.tls == tls.get() &&
              entry.pool->target().read_timeout == target.read_timeout &&
              entry.pool->target().connect_timeout == target.connect_timeout &&
              entry.pool->target().max_idle == target.max_idle &&
              entry.pool->target().idle_timeout == target.idle_timeout;
  if (!same) {
    if (entry.pool) entry.pool->close_idle();
    entry.pool = std::make_shared<Pool>(executor_, target, tls);
    entry.url = instance.url;
    entry.tls = tls.get();
    entry.state = registry_ ? registry_->get(side, instance.url) : nullptr;
  }
  return entry;
}

std::optional<Pick> PoolSet::pick(config::Side side, const gateway::Snapshot& snapshot,
                                  std::optional<std::chrono::milliseconds> read_timeout,
                                  const std::vector<std::size_t>& tried) {
  const auto& backend = snapshot.config->backend(side);
  const std::size_t n = backend.instances.size();
  if (n == 0) return std::nullopt;
  SideEntries& side_entries = side == config::Side::legacy ? legacy_ : candidate_;
  const auto now = registry_ ? registry_->clock().steady_now() : std::chrono::steady_clock::time_point{};
  // Per request and side: on the stack for up to 8 instances (small_vector), no allocation.
  boost::container::small_vector<Candidate, 8> candidates(n);
  boost::container::small_vector<bool, 8> breaker_ok(n, true);
  boost::container::small_vector<bool, 8> healthy(n, true);
  for (std::size_t i = 0; i < n; ++i) {
    Entry& entry = entry_for(side_entries, side, i, snapshot, read_timeout);
    candidates[i].weight = backend.instances[i].weight;
    if (entry.state) {
      breaker_ok[i] = entry.state->would_allow(now, backend.circuit_breaker);
      healthy[i] = backend.health_check.interval_ms <= 0 || entry.state->healthy();
    }
  }
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  // Preference order: healthy and not tried yet; healthy; untried; any whose breaker allows.
  for (int pass = 0; pass < 4; ++pass) {
    const bool need_healthy = pass < 2;
    const bool need_untried = pass == 0 || pass == 2;
    for (;;) {
      for (std::size_t i = 0; i < n; ++i) {
        bool untried = std::find(tried.begin(), tried.end(), i) == tried.end();
        candidates[i].available = breaker_ok[i] && (!need_healthy || healthy[i]) && (!need_untried || untried);
      }
      auto chosen = side_entries.balancer.pick(backend.balance, {candidates.data(), candidates.size()}, uniform(random_));
      if (!chosen) break;
      Entry& entry = side_entries.entries[*chosen];
      // Another loop may have taken the half-open probe slot meanwhile: then look again without it.
      if (entry.state && !entry.state->allow(now, backend.circuit_breaker)) {
        breaker_ok[*chosen] = false;
        continue;
      }
      return Pick{entry.pool, entry.state, &backend.instances[*chosen], *chosen};
    }
  }
  return std::nullopt;
}

void PoolSet::report(const Pick& pick, const Result& result) {
  if (pick.state && registry_) pick.state->record(result, registry_->clock().steady_now());
}

void PoolSet::close_idle() {
  for (SideEntries* side : {&legacy_, &candidate_}) {
    for (auto& e : side->entries) {
      if (e.pool) e.pool->close_idle();
    }
  }
}

void PoolSet::sweep_idle(std::chrono::steady_clock::time_point now) {
  for (SideEntries* side : {&legacy_, &candidate_}) {
    for (auto& e : side->entries) {
      if (e.pool) e.pool->sweep_idle(now);
    }
  }
}

std::string host_header(const config::Url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  return default_port ? host : host + ":" + std::to_string(url.port);
}

}  // namespace parity::upstream
