#include "gateway/snapshot.h"

#include "gateway/tls_context.h"

namespace parity::gateway {

std::shared_ptr<const Snapshot> make_snapshot(std::shared_ptr<const config::Config> config, std::uint64_t version,
                                              const Snapshot* previous, std::string& error) {
  auto snapshot = std::make_shared<Snapshot>();
  for (auto side : {config::Side::legacy, config::Side::candidate}) {
    const auto& backend = config->backend(side);
    // One client TLS context per backend, shared by its https instances (host names are checked per
    // connection).
    bool any_https = backend.parsed.scheme == "https";
    for (const auto& instance : backend.instances) any_https = any_https || instance.parsed.scheme == "https";
    if (!any_https) continue;
    if (previous && previous->tls_for(side)) {
      const auto& before = previous->config->backend(side);
      if (before.url == backend.url && before.ca == backend.ca && before.verify == backend.verify) {
        (side == config::Side::legacy ? snapshot->legacy_tls : snapshot->candidate_tls) = previous->tls_for(side);
        continue;
      }
    }
    auto tls = make_client_tls(backend, error);
    if (!tls) return nullptr;
    (side == config::Side::legacy ? snapshot->legacy_tls : snapshot->candidate_tls) = std::move(tls);
  }
  snapshot->config = std::move(config);
  snapshot->version = version;
  return snapshot;
}

}  // namespace parity::gateway
