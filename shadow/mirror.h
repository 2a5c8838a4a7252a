#pragma once
// The gateway's view of the shadow stage: two calls per mirrored exchange, fire and forget.
#include <memory>
#include <random>
#include <string_view>

#include "config/config.h"
#include "core/http_message.h"
#include "gateway/snapshot.h"
#include "gateway/upstream/pool_set.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::shadow {

// Receives the served side of one mirrored exchange. Called once, on the event loop.
class ServedCapture {
 public:
  virtual ~ServedCapture() = default;
  // Bytes of the served body to keep for the diff (the client still gets all of it).
  virtual std::size_t max_body() const = 0;
  // Asked before `bytes` more of the served body are kept; false when the mirror byte budget cannot
  // take them: the capture stops (the exchange will be dropped), the client's response goes on.
  virtual bool keep(std::size_t bytes) = 0;
  virtual void served(HttpResponse response, const upstream::Result& result) = 0;
};

struct MirrorContext {
  const gateway::Snapshot& snapshot;
  const config::RouteConfig& route;
  const upstream::Request& request;  // exactly as sent to the served backend
  std::string_view upstream_target;  // the routed target, before any backend base path
  std::string_view request_id;
  upstream::PoolSet& pools;          // this event loop's mirror pools
  asio::any_io_executor executor;    // this event loop
  std::mt19937_64& random;           // this event loop's random source
  std::string_view client = {};      // the client's address (for the traffic capture)
};

class Mirror {
 public:
  virtual ~Mirror() = default;
  // After the request is read and routed: decides, and if mirrored starts the shadow request off the
  // client's path. Returns where to report the served response, or nullptr when not mirrored.
  virtual std::shared_ptr<ServedCapture> begin(const MirrorContext& context) = 0;
  // Mirrors started and not yet recorded (the drain waits for them).
  virtual std::size_t in_flight() const = 0;
};

}  // namespace parity::shadow
