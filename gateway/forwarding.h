#pragma once
// Header rewriting of a reverse proxy: hop-by-hop headers out, X-Forwarded-* and X-Request-ID in.
#include <string>

#include "gateway/asio.h"

namespace parity::gateway {

// Removes Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade and every header
// the Connection header names (RFC 9110 7.6.1). Other headers keep their bytes and order.
void remove_hop_by_hop(http::fields& fields);

struct ForwardedFor {
  std::string client_address;  // the peer's address
  std::string proto;           // "https" or "http"
  std::string host;            // the Host the client asked for
};

// Every X-Forwarded-For line of the request joined with ", ", in order (a proxy may send several).
std::string forwarded_for_chain(const http::fields& fields);

// Appends the peer to X-Forwarded-For (one line: the chain, then the peer) and sets X-Forwarded-Proto/Host.
void add_forwarded(http::fields& fields, const ForwardedFor& forwarded);

}  // namespace parity::gateway
