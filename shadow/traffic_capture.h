#pragma once
// The gateway's view of the traffic capture: one call per routed request, never blocking.
#include "shadow/mirror.h"

namespace parity::shadow {

class TrafficCapture {
 public:
  virtual ~TrafficCapture() = default;
  // After the request is read and routed (the same moment as Mirror::begin): decides and, if the
  // request is sampled, enqueues its traffic line for the background writer. Never waits.
  virtual void offer(const MirrorContext& context) = 0;
};

}  // namespace parity::shadow
