#include "gateway/upstream/pool_set.h"

namespace parity::upstream {

std::shared_ptr<Pool> PoolSet::get(config::Side side, const gateway::Snapshot& snapshot,
                                   std::optional<std::chrono::milliseconds> read_timeout) {
  Entry& entry = side == config::Side::legacy ? legacy_ : candidate_;
  const auto& backend = snapshot.config->backend(side);
  const auto& tls = snapshot.tls_for(side);
  auto target = Target::from_backend(backend);
  if (read_timeout) target.read_timeout = *read_timeout;
  // A reload that leaves this backend alone keeps its warm connections (snapshots reuse unchanged
  // TLS contexts, so the pointer comparison holds across reloads).
  bool same = entry.pool && entry.url == backend.url && entry.tls == tls.get() &&
              entry.pool->target().read_timeout == target.read_timeout &&
              entry.pool->target().connect_timeout == target.connect_timeout &&
              entry.pool->target().max_idle == target.max_idle;
  if (!same) {
    if (entry.pool) entry.pool->close_idle();
    entry.pool = std::make_shared<Pool>(executor_, target, tls);
    entry.url = backend.url;
    entry.tls = tls.get();
  }
  return entry.pool;
}

void PoolSet::close_idle() {
  for (Entry* e : {&legacy_, &candidate_}) {
    if (e->pool) e->pool->close_idle();
  }
}

std::string host_header(const config::Url& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  return default_port ? host : host + ":" + std::to_string(url.port);
}

}  // namespace parity::upstream
