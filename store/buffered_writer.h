#pragma once
// A bounded queue and one writer thread that hands batches of items to the subclass's write_batch()
// (as spdlog's base_sink). The writer runs on a timer (flush_interval), when the queue is half full,
// on flush() and on stop(). Record sinks (store/buffered_sink.h) and the gateway's capture file
// (store/capture_file.h) are built on it.
//
// Contract for subclasses: call stop() first thing in the destructor, so the writer thread is joined
// (and the queue written) before the subclass's members are destroyed.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/thread_name.h"
#include "store/record_sink.h"

namespace parity::store {

struct BufferedSinkOptions {
  std::size_t queue_capacity = 8192;                   // items waiting; beyond it push() drops
  std::chrono::milliseconds flush_interval{1000};      // longest an item waits before its batch is written
};

template <class Item>
class BufferedWriter {
 public:
  virtual ~BufferedWriter() {
    // A subclass that followed the contract has already stopped; this only covers a failed constructor
    // path or a subclass without members, where there is nothing left to write.
    stop();
  }
  BufferedWriter(const BufferedWriter&) = delete;
  BufferedWriter& operator=(const BufferedWriter&) = delete;

  // Non-blocking: enqueues the item, or drops and counts it (returning false) when the queue is full.
  bool push(Item item);
  // Blocks until every item accepted before the call has been written or counted as failed.
  void flush();
  SinkStats stats() const;

 protected:
  explicit BufferedWriter(BufferedSinkOptions options);

  // Writes the remaining queue and joins the writer. Idempotent; push() drops (and counts) afterwards.
  void stop();

  // Called on the writer thread only, never concurrently. Returns false when the batch could not be
  // written: its items are counted as failed and discarded (never retried, so memory stays bounded).
  // Exceptions are caught and count as failure.
  virtual bool write_batch(const std::vector<Item>& batch) = 0;

 private:
  void run();

  BufferedSinkOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable batch_done_;
  std::vector<Item> pending_;
  std::uint64_t accepted_ = 0;         // sequence number of the last accepted item
  std::uint64_t finished_ = 0;         // items written or failed, in acceptance order
  std::uint64_t flush_requested_ = 0;  // highest sequence a flush() waits for
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  SinkStats stats_;
  std::thread writer_;
};

template <class Item>
BufferedWriter<Item>::BufferedWriter(BufferedSinkOptions options) : options_(options) {
  if (options_.queue_capacity == 0) options_.queue_capacity = 1;
  if (options_.flush_interval <= std::chrono::milliseconds::zero()) options_.flush_interval = std::chrono::milliseconds(1);
  // The writer only calls write_batch() once items are queued, which cannot happen before the
  // subclass's constructor has returned, so starting it here is safe.
  writer_ = std::thread([this] {
    name_this_thread("parity-store");
    run();
  });
}

template <class Item>
bool BufferedWriter<Item>::push(Item item) {
  std::unique_lock lock(mutex_);
  if (stopping_ || pending_.size() >= options_.queue_capacity) {
    ++stats_.dropped;
    return false;
  }
  try {
    pending_.push_back(std::move(item));
  } catch (...) {
    ++stats_.dropped;  // out of memory: losing an item beats failing the request path
    return false;
  }
  ++accepted_;
  // Wake the writer early at half capacity so a burst is written before the queue fills up.
  if (pending_.size() * 2 >= options_.queue_capacity) {
    lock.unlock();
    wake_writer_.notify_one();
  }
  return true;
}

template <class Item>
void BufferedWriter<Item>::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = accepted_;
  if (finished_ >= target) return;
  if (flush_requested_ < target) flush_requested_ = target;
  wake_writer_.notify_one();
  batch_done_.wait(lock, [&] { return finished_ >= target; });
}

template <class Item>
SinkStats BufferedWriter<Item>::stats() const {
  std::lock_guard lock(mutex_);
  SinkStats s = stats_;
  s.queued = pending_.size() + in_flight_;
  return s;
}

template <class Item>
void BufferedWriter<Item>::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

template <class Item>
void BufferedWriter<Item>::run() {
  std::vector<Item> batch;
  std::unique_lock lock(mutex_);
  auto next_flush = std::chrono::steady_clock::now() + options_.flush_interval;
  for (;;) {
    wake_writer_.wait_until(lock, next_flush, [&] {
      return stopping_ || flush_requested_ > finished_ || pending_.size() * 2 >= options_.queue_capacity;
    });
    if (std::chrono::steady_clock::now() >= next_flush) {
      next_flush = std::chrono::steady_clock::now() + options_.flush_interval;
    }
    if (pending_.empty()) {
      if (stopping_) return;
      continue;
    }
    batch.swap(pending_);
    in_flight_ = batch.size();
    lock.unlock();

    bool ok = false;
    try {
      ok = write_batch(batch);
    } catch (...) {
      ok = false;
    }

    lock.lock();
    (ok ? stats_.written : stats_.failed) += batch.size();
    finished_ += batch.size();
    in_flight_ = 0;
    batch.clear();
    batch_done_.notify_all();
  }
}

}  // namespace parity::store
