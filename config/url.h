#pragma once
// Parsing of backend URLs and listen addresses.
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace parity::config {

// "http://host[:port][/base]" or "https://…"; IPv6 hosts in brackets. nullopt + reason on error.
std::optional<Url> parse_url(std::string_view text, std::string& reason);

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "host:port", "[::1]:port" or ":port" (all interfaces). Port 0 asks the OS for a free port.
std::optional<HostPort> parse_host_port(std::string_view text, std::string& reason);

}  // namespace parity::config
