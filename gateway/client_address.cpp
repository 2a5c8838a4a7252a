#include "gateway/client_address.h"

#include <algorithm>

#include "core/http_message.h"

namespace parity::gateway {
namespace {

bool is_trusted(const IpNetwork& address, const std::vector<IpNetwork>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(), [&](const IpNetwork& n) { return n.contains(address); });
}

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<IpNetwork>& trusted) {
  const auto peer_address = IpNetwork::address(peer);
  if (trusted.empty() || !peer_address || !is_trusted(*peer_address, trusted)) return std::string(peer);
  std::string_view client = peer;
  std::string_view rest = forwarded_for;
  while (!trim_ows(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = trim_ows(comma == rest.npos ? rest : rest.substr(comma + 1));
    rest = comma == rest.npos ? std::string_view() : rest.substr(0, comma);
    const auto address = IpNetwork::address(entry);  // parsed once, tested against every trusted network
    if (!address) break;
    client = entry;
    if (!is_trusted(*address, trusted)) break;
  }
  return std::string(client);
}

}  // namespace parity::gateway
