#pragma once
// The base of every record sink: a RecordSink on the bounded queue and writer thread of
// store/buffered_writer.h. A new sink (JSONL, PostgreSQL, …) only implements write_batch().
//
// Contract for subclasses: call stop() first thing in the destructor, so the writer thread is joined
// (and the queue written) before the subclass's members are destroyed.
#include "store/buffered_writer.h"
#include "store/record_sink.h"

namespace parity::store {

class BufferedSink : public RecordSink, protected BufferedWriter<Record> {
 public:
  void write(Record record) final { push(std::move(record)); }
  void flush() final { BufferedWriter<Record>::flush(); }
  SinkStats stats() const final { return BufferedWriter<Record>::stats(); }

 protected:
  explicit BufferedSink(BufferedSinkOptions options) : BufferedWriter<Record>(options) {}
};

}  // namespace parity::store
