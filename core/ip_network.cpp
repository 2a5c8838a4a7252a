#include "core/ip_network.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/system/error_code.hpp>

namespace parity {
namespace {

namespace ip = boost::asio::ip;

// An IPv4-mapped IPv6 address as the IPv4 address it stands for; others as they are.
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::array<unsigned char, 16> bytes_of(const ip::address& a) {
  std::array<unsigned char, 16> out{};
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    const auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  }
  return out;
}

bool same_prefix(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b, unsigned prefix) {
  unsigned i = 0;
  for (; prefix >= 8; prefix -= 8, ++i) {
    if (a[i] != b[i]) return false;
  }
  if (prefix == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xff << (8 - prefix));
  return (a[i] & mask) == (b[i] & mask);
}

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }  // parsers stop there

}  // namespace

std::optional<IpNetwork> IpNetwork::address(std::string_view text) {
  if (has_nul(text)) return std::nullopt;
  boost::system::error_code ec;
  const auto a = unmapped(ip::make_address(std::string(text), ec));
  if (ec) return std::nullopt;
  return IpNetwork(a.is_v4(), bytes_of(a), a.is_v4() ? 32 : 128, text);
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  if (text.find('/') == std::string_view::npos) return address(text);
  if (has_nul(text)) return std::nullopt;
  boost::system::error_code ec;
  if (text.find(':') == std::string_view::npos) {
    const auto net = ip::make_network_v4(std::string(text), ec);
    if (ec || net.network() != net.address()) return std::nullopt;  // host bits set
    return IpNetwork(true, bytes_of(net.network()), net.prefix_length(), text);
  }
  const auto net = ip::make_network_v6(std::string(text), ec);
  if (ec || net.network() != net.address()) return std::nullopt;
  if (net.network().is_v4_mapped() && net.prefix_length() >= 96) {  // ::ffff:10.0.0.0/104 = 10.0.0.0/8
    return IpNetwork(true, bytes_of(unmapped(net.network())), net.prefix_length() - 96, text);
  }
  return IpNetwork(false, bytes_of(net.network()), net.prefix_length(), text);
}

bool IpNetwork::contains(const IpNetwork& inner) const {
  return inner.v4_ == v4_ && inner.prefix_ >= prefix_ && same_prefix(inner.bytes_, bytes_, prefix_);
}

bool IpNetwork::contains(std::string_view address) const {
  const auto parsed = IpNetwork::address(address);
  return parsed && contains(*parsed);
}

}  // namespace parity
