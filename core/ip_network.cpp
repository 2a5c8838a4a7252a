#include "core/ip_network.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/system/error_code.hpp>

namespace parity {
namespace {

namespace ip = boost::asio::ip;

// The address as 4 (IPv4, or IPv4-mapped IPv6) or 16 bytes.
bool address_bytes(std::string_view text, bool& v4, std::array<unsigned char, 16>& out) {
  if (text.find('\0') != std::string_view::npos) return false;  // the parser would stop there
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  out.fill(0);
  v4 = address.is_v4();
  if (v4) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    const auto b = address.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  }
  return true;
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

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  IpNetwork n;
  n.text_ = std::string(text);
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!address_bytes(text, n.v4_, n.bytes_)) return std::nullopt;
    n.prefix_ = n.v4_ ? 32 : 128;
    return n;
  }
  boost::system::error_code ec;
  if (text.find(':') == std::string_view::npos) {
    const auto net = ip::make_network_v4(std::string(text), ec);
    if (ec || net.network() != net.address()) return std::nullopt;  // host bits set
    const auto b = net.network().to_bytes();
    std::copy(b.begin(), b.end(), n.bytes_.begin());
    n.v4_ = true;
    n.prefix_ = net.prefix_length();
    return n;
  }
  const auto net = ip::make_network_v6(std::string(text), ec);
  if (ec || net.network() != net.address()) return std::nullopt;
  if (net.network().is_v4_mapped() && net.prefix_length() >= 96) {  // ::ffff:10.0.0.0/104 = 10.0.0.0/8
    const auto b = ip::make_address_v4(ip::v4_mapped, net.network()).to_bytes();
    std::copy(b.begin(), b.end(), n.bytes_.begin());
    n.v4_ = true;
    n.prefix_ = net.prefix_length() - 96;
    return n;
  }
  const auto b = net.network().to_bytes();
  std::copy(b.begin(), b.end(), n.bytes_.begin());
  n.v4_ = false;
  n.prefix_ = net.prefix_length();
  return n;
}

bool IpNetwork::contains(std::string_view address) const {
  bool v4 = false;
  std::array<unsigned char, 16> bytes{};
  if (!address_bytes(address, v4, bytes) || v4 != v4_) return false;
  return same_prefix(bytes, bytes_, prefix_);
}

}  // namespace parity
