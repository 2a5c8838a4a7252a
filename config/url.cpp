#include "config/url.h"

#include <charconv>

namespace parity::config {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits "host:port" / "[v6]:port" / "host"; port_text is empty when no port is given.
bool split_authority(std::string_view authority, std::string& host, std::string_view& port_text,
                     std::string& reason) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      reason = "unterminated '[' in IPv6 address";
      return false;
    }
    host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        reason = "expected ':' after IPv6 address";
        return false;
      }
      port_text = rest.substr(1);
      if (port_text.empty()) {
        reason = "empty port";
        return false;
      }
    }
    return true;
  }
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    host = std::string(authority);
    return true;
  }
  host = std::string(authority.substr(0, colon));
  port_text = authority.substr(colon + 1);
  if (port_text.empty()) {
    reason = "empty port";
    return false;
  }
  return true;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text, std::string& reason) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    reason = "not a URL (expected http://host:port or https://host:port)";
    return std::nullopt;
  }
  Url url;
  url.scheme = std::string(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") {
    reason = "scheme must be http or https, not '" + url.scheme + "'";
    return std::nullopt;
  }
  auto rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.base_path = std::string(rest.substr(slash));
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  if (url.base_path.find_first_of("?#") != std::string::npos) {
    reason = "a backend URL takes no query or fragment";
    return std::nullopt;
  }
  std::string_view port_text;
  if (!split_authority(authority, url.host, port_text, reason)) return std::nullopt;
  if (url.host.empty()) {
    reason = "missing host";
    return std::nullopt;
  }
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else if (auto port = parse_port(port_text); port && *port != 0) {
    url.port = *port;
  } else {
    reason = "bad port '" + std::string(port_text) + "'";
    return std::nullopt;
  }
  return url;
}

std::optional<HostPort> parse_host_port(std::string_view text, std::string& reason) {
  HostPort hp;
  std::string_view port_text;
  if (!split_authority(text, hp.host, port_text, reason)) return std::nullopt;
  if (port_text.empty()) {
    reason = "expected host:port";
    return std::nullopt;
  }
  auto port = parse_port(port_text);
  if (!port) {
    reason = "bad port '" + std::string(port_text) + "'";
    return std::nullopt;
  }
  hp.port = *port;
  if (hp.host.empty()) hp.host = "0.0.0.0";
  return hp;
}

}  // namespace parity::config
