#include "store/fanout_sink.h"

#include <algorithm>
#include <utility>

namespace parity::store {

FanoutSink::FanoutSink(std::vector<RecordSink*> sinks) : sinks_(std::move(sinks)) {
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), nullptr), sinks_.end());
}

void FanoutSink::write(Record record) {
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    if (i + 1 == sinks_.size()) {
      sinks_[i]->write(std::move(record));
    } else {
      sinks_[i]->write(record);
    }
  }
}

void FanoutSink::flush() {
  for (auto* sink : sinks_) sink->flush();
}

SinkStats FanoutSink::stats() const {
  SinkStats total;
  for (const auto* sink : sinks_) {
    const auto s = sink->stats();
    total.written += s.written;
    total.dropped += s.dropped;
    total.failed += s.failed;
    total.queued += s.queued;
  }
  return total;
}

}  // namespace parity::store
