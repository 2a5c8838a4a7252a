#include "gateway/snapshot.h"

#include "gateway/tls_context.h"

namespace parity::gateway {

std::shared_ptr<const Snapshot> make_snapshot(std::shared_ptr<const config::Config> config, std::uint64_t version,
                                              const Snapshot* previous, std::string& error,
                                              bool reload_files) {
  auto snapshot = std::make_shared<Snapshot>();
  if (!config->insecure_http) {
    const auto& tls = config->tls;
    const bool same = previous && previous->server_tls && previous->config->tls.cert == tls.cert &&
                      previous->config->tls.key == tls.key && previous->config->tls.min_version == tls.min_version &&
                      previous->config->tls.client_ca == tls.client_ca &&
                      previous->config->tls.require_client_cert == tls.require_client_cert;
    snapshot->server_tls = same && !reload_files ? previous->server_tls : make_server_tls(tls, error);
    if (!snapshot->server_tls) return nullptr;
  }
  snapshot->protect = protect::make_policies(*config, error);
  if (!snapshot->protect) return nullptr;
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
