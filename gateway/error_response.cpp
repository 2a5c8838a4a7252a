#include "gateway/error_response.h"

#include <nlohmann/json.hpp>

namespace parity::gateway {

std::string error_body(const GatewayError& error, std::string_view request_id) {
  nlohmann::json body = {{"error",
                          {{"message", error.message}, {"type", error.type}, {"request_id", request_id}}}};
  // Replace invalid UTF-8 rather than throw: messages can quote client input.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace parity::gateway
