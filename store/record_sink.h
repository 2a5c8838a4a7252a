#pragma once
// Where records go. Implementations never block the caller of write() and never throw from it.
#include <cstdint>

#include "store/record.h"

namespace parity::store {

struct SinkStats {
  std::uint64_t written = 0;  // records handed to the medium
  std::uint64_t dropped = 0;  // refused by write() because the queue was full
  std::uint64_t failed = 0;   // lost to write errors (unwritable path, full disk, …)
  std::uint64_t queued = 0;   // accepted but not yet written or failed
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Non-blocking: enqueues the record, or drops and counts it when the queue is full.
  virtual void write(Record record) = 0;
  // Blocks until every record accepted before the call has been written or counted as failed.
  virtual void flush() = 0;
  virtual SinkStats stats() const = 0;
};

}  // namespace parity::store
