#pragma once
// The gateway's own error format: {"error": {"message", "type", "request_id"}}.
#include <string>
#include <string_view>

namespace parity::gateway {

struct GatewayError {
  int status;
  std::string_view type;  // machine-readable: "no_route", "body_too_large", "upstream_failed", …
  std::string message;
};

std::string error_body(const GatewayError& error, std::string_view request_id);

}  // namespace parity::gateway
