#pragma once
// One mirrored exchange once every side has answered (or failed): what the diff workers get.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/http_message.h"

namespace parity::shadow {

struct SideOutcome {
  std::optional<HttpResponse> response;  // absent when the side failed before a response head
  std::string error;                     // non-empty when the side failed or timed out
  double latency_ms = 0;
  std::uint64_t bytes = 0;               // body bytes received (all of them, not only those kept)
};

struct CompletedExchange {
  std::shared_ptr<const config::Config> config;  // the snapshot the request started with
  std::chrono::system_clock::time_point started;
  std::string request_id;
  std::string method;
  std::string route;
  std::string target;
  config::Side served = config::Side::legacy;
  SideOutcome served_side;
  SideOutcome shadow_side;
  std::optional<SideOutcome> legacy_again;  // the noise sample: legacy asked a second time

  const SideOutcome& side(config::Side s) const { return s == served ? served_side : shadow_side; }
};

}  // namespace parity::shadow
