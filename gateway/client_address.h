#pragma once
// Who the client is, for the rate limiter, the access log and the traffic capture, when the gateway
// runs behind a load balancer or proxy (`trusted_proxies` in the config).
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_network.h"

namespace parity::gateway {

// The TCP peer, unless it is in `trusted`: then the X-Forwarded-For chain ("a, b, c", every line of the
// header joined) is read from the right, trusted proxies are skipped, and the first address that is
// not one is the client. An entry that is not an IP address stops the walk at the last trusted hop (what
// that hop forwarded cannot be told apart from what a client wrote); a chain of trusted proxies only
// gives its leftmost entry. With no trusted proxies the X-Forwarded-For header is never believed: any
// client can send one.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<IpNetwork>& trusted);

}  // namespace parity::gateway
