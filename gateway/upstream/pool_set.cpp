#include "gateway/upstream/pool_set.h"

namespace parity::upstream {

Pool& PoolSet::get(config::Side side, const gateway::Snapshot& snapshot) {
  Entry& entry = side == config::Side::legacy ? legacy_ : candidate_;
  const auto& backend = snapshot.config->backend(side);
  const auto& tls = snapshot.tls_for(side);
  // A reload that leaves this backend alone keeps its warm connections. TLS contexts are rebuilt on
  // every reload, so for https the pool follows the new context (new CA files take effect).
  bool same = entry.pool && entry.url == backend.url && (!tls || entry.tls == tls.get()) &&
              entry.pool->target().read_timeout.count() == backend.timeout_ms;
  if (!same) {
    entry.pool = std::make_unique<Pool>(executor_, Target::from_backend(backend), tls);
    entry.url = backend.url;
    entry.tls = tls.get();
  }
  return *entry.pool;
}

void PoolSet::close_idle() {
  for (Entry* e : {&legacy_, &candidate_}) {
    if (e->pool) e->pool->close_idle();
  }
}

}  // namespace parity::upstream
