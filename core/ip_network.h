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
  // False for text that is not an IP address.
  bool contains(std::string_view address) const;
  const std::string& text() const { return text_; }

 private:
  bool v4_ = true;
  std::array<unsigned char, 16> bytes_{};  // network address; IPv4 in the first 4 bytes
  unsigned prefix_ = 0;
  std::string text_;
};

}  // namespace parity
