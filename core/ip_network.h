#pragma once
// An IP address or network (CIDR) from the config, and whether an address belongs to it: the
// `trusted_proxies` of the gateway. Parsing is Boost.Asio's (ip::make_address, make_network_v4/v6);
// an IPv4-mapped IPv6 address (::ffff:10.0.0.1, what a dual-stack socket reports) counts as IPv4.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace parity {

class IpNetwork {
 public:
  // "10.0.0.0/8", "192.168.1.7" (a /32), "fd00::/8", "::1" (a /128); nullopt for anything else,
  // including host bits set under the prefix ("10.0.0.1/8": say 10.0.0.0/8 or 10.0.0.1).
  static std::optional<IpNetwork> parse(std::string_view text);
  // A single address only (no "/prefix"): parse it once, then test it against several networks.
  static std::optional<IpNetwork> address(std::string_view text);
  // Whether `inner` (an address, or a narrower network) lies within this network.
  bool contains(const IpNetwork& inner) const;
  // False for text that is not an IP address.
  bool contains(std::string_view address) const;
  const std::string& text() const { return text_; }

 private:
  using Bytes = std::array<unsigned char, 16>;  // IPv4 in the first 4 bytes
  IpNetwork(bool v4, const Bytes& bytes, unsigned prefix, std::string_view text)
      : v4_(v4), bytes_(bytes), prefix_(prefix), text_(text) {}

  bool v4_ = true;
  Bytes bytes_{};  // the network address
  unsigned prefix_ = 0;
  std::string text_;
};

}  // namespace parity
