#include "store/buffered_sink.h"

#include <utility>

namespace parity::store {

BufferedSink::BufferedSink(BufferedSinkOptions options) : options_(options) {
  if (options_.queue_capacity == 0) options_.queue_capacity = 1;
  if (options_.flush_interval <= std::chrono::milliseconds::zero()) options_.flush_interval = std::chrono::milliseconds(1);
  // The writer only calls write_batch() once records are queued, which cannot happen before the
  // subclass's constructor has returned, so starting it here is safe.
  writer_ = std::thread([this] { run(); });
}

BufferedSink::~BufferedSink() {
  // A subclass that followed the contract has already stopped; this only covers a failed constructor
  // path or a subclass without members, where there is nothing left to write.
  stop();
}

void BufferedSink::write(Record record) {
  std::unique_lock lock(mutex_);
  if (stopping_ || pending_.size() >= options_.queue_capacity) {
    ++stats_.dropped;
    return;
  }
  try {
    pending_.push_back(std::move(record));
  } catch (...) {
    ++stats_.dropped;  // out of memory: losing a record beats failing the request path
    return;
  }
  ++accepted_;
  // Wake the writer early at half capacity so a burst is written before the queue fills up.
  if (pending_.size() * 2 >= options_.queue_capacity) {
    lock.unlock();
    wake_writer_.notify_one();
  }
}

void BufferedSink::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = accepted_;
  if (finished_ >= target) return;
  if (flush_requested_ < target) flush_requested_ = target;
  wake_writer_.notify_one();
  batch_done_.wait(lock, [&] { return finished_ >= target; });
}

SinkStats BufferedSink::stats() const {
  std::lock_guard lock(mutex_);
  SinkStats s = stats_;
  s.queued = pending_.size() + in_flight_;
  return s;
}

void BufferedSink::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

void BufferedSink::run() {
  std::vector<Record> batch;
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
