#include <catch2/catch.hpp>

#include "gateway/client_address.h"

using parity::IpNetwork;
using parity::gateway::client_address;

namespace {

std::vector<IpNetwork> networks(std::initializer_list<const char*> texts) {
  std::vector<IpNetwork> out;
  for (const char* t : texts) out.push_back(*IpNetwork::parse(t));
  return out;
}

}  // namespace

TEST_CASE("client address: X-Forwarded-For is believed only from a trusted proxy") {
  const auto lb = networks({"10.0.0.0/8", "::1"});
  // No trusted proxies, or a peer that is not one: the peer, whatever the header says.
  CHECK(client_address("10.0.0.2", "203.0.113.7", {}) == "10.0.0.2");
  CHECK(client_address("198.51.100.9", "203.0.113.7", lb) == "198.51.100.9");
  // Through the load balancer: the address it forwarded for.
  CHECK(client_address("10.0.0.2", "203.0.113.7", lb) == "203.0.113.7");
  CHECK(client_address("::1", "203.0.113.7", lb) == "203.0.113.7");
  CHECK(client_address("::ffff:10.0.0.2", "203.0.113.7", lb) == "203.0.113.7");  // dual-stack socket
  // Read from the right: what the client itself put first is not believed, trusted hops are skipped.
  CHECK(client_address("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.9", lb) == "203.0.113.7");
  CHECK(client_address("10.0.0.2", " 203.0.113.7 ,10.0.0.9 ", lb) == "203.0.113.7");
  CHECK(client_address("10.0.0.2", "2001:db8::5", lb) == "2001:db8::5");
  // Only trusted hops: the leftmost one. No header: the peer.
  CHECK(client_address("10.0.0.2", "10.0.0.7, 10.0.0.9", lb) == "10.0.0.7");
  CHECK(client_address("10.0.0.2", "", lb) == "10.0.0.2");
  // Garbage stops the walk at the last trusted hop.
  CHECK(client_address("10.0.0.2", "203.0.113.7, unknown", lb) == "10.0.0.2");
  CHECK(client_address("10.0.0.2", "evil, 10.0.0.9", lb) == "10.0.0.9");
  CHECK(client_address("10.0.0.2", "203.0.113.7/8", lb) == "10.0.0.2");
}
