#pragma once
// Hands each record to several sinks (records.jsonl and PostgreSQL when the config names both).
#include <vector>

#include "store/record_sink.h"

namespace parity::store {

class FanoutSink final : public RecordSink {
 public:
  // Null entries are skipped; the sinks must outlive this one.
  explicit FanoutSink(std::vector<RecordSink*> sinks);

  void write(Record record) override;  // a copy to each sink but the last, which gets the record
  void flush() override;               // flushes every sink
  SinkStats stats() const override;    // the sum over the sinks (each sink also exports its own)

 private:
  std::vector<RecordSink*> sinks_;
};

}  // namespace parity::store
