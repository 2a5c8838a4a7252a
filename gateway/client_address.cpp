#include "gateway/client_address.h"

#include "core/http_message.h"

namespace parity::gateway {
namespace {

bool is_trusted(std::string_view address, const std::vector<IpNetwork>& trusted) {
  for (const auto& network : trusted) {
    if (network.contains(address)) return true;
  }
  return false;
}

bool is_address(std::string_view text) { return IpNetwork::parse(text).has_value() && text.find('/') == text.npos; }

}  // namespace

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<IpNetwork>& trusted) {
  if (trusted.empty() || !is_trusted(peer, trusted)) return std::string(peer);
  std::string_view client = peer;
  std::string_view rest = forwarded_for;
  while (!trim_ows(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = trim_ows(comma == rest.npos ? rest : rest.substr(comma + 1));
    rest = comma == rest.npos ? std::string_view() : rest.substr(0, comma);
    if (!is_address(entry)) break;
    client = entry;
    if (!is_trusted(entry, trusted)) break;
  }
  return std::string(client);
}

}  // namespace parity::gateway
