#pragma once
// The base of every record sink (as spdlog's base_sink): a bounded queue and one writer thread that
// hands batches to the subclass's write_batch(). The writer runs on a timer (flush_interval), when the
// queue is half full, on flush() and on stop(). A new sink (JSONL, PostgreSQL, …) only implements
// write_batch().
//
// Contract for subclasses: call stop() first thing in the destructor, so the writer thread is joined
// (and the queue written) before the subclass's members are destroyed.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "store/record_sink.h"

namespace parity::store {

struct BufferedSinkOptions {
  std::size_t queue_capacity = 8192;                   // records waiting; beyond it write() drops
  std::chrono::milliseconds flush_interval{1000};      // longest a record waits before its batch is written
};

class BufferedSink : public RecordSink {
 public:
  ~BufferedSink() override;
  BufferedSink(const BufferedSink&) = delete;
  BufferedSink& operator=(const BufferedSink&) = delete;

  void write(Record record) final;
  void flush() final;
  SinkStats stats() const final;

 protected:
  explicit BufferedSink(BufferedSinkOptions options);

  // Writes the remaining queue and joins the writer. Idempotent; write() drops (and counts) afterwards.
  void stop();

  // Called on the writer thread only, never concurrently. Returns false when the batch could not be
  // written: its records are counted as failed and discarded (never retried, so memory stays bounded).
  // Exceptions are caught and count as failure.
  virtual bool write_batch(const std::vector<Record>& batch) = 0;

 private:
  void run();

  BufferedSinkOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable batch_done_;
  std::vector<Record> pending_;
  std::uint64_t accepted_ = 0;   // sequence number of the last accepted record
  std::uint64_t finished_ = 0;   // records written or failed, in acceptance order
  std::uint64_t flush_requested_ = 0;  // highest sequence a flush() waits for
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  SinkStats stats_;
  std::thread writer_;
};

}  // namespace parity::store
