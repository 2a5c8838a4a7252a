#include "store/buffered_sink.h"

#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <stdexcept>

#include "store_test_support.h"

namespace parity::store {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::make_record;

// A sink that keeps batches in memory; optionally blocks inside write_batch until released, fails or throws.
class MemorySink final : public BufferedSink {
 public:
  enum class Mode { ok, fail, throw_ };

  explicit MemorySink(BufferedSinkOptions options, Mode mode = Mode::ok, bool block_first = false)
      : BufferedSink(options), mode_(mode), block_first_(block_first) {}
  ~MemorySink() override { stop(); }

  std::vector<std::string> ids() {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  std::size_t batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::promise<void> entered;  // set when the first batch starts
  std::promise<void> release;  // the first batch waits for it when block_first

 private:
  bool write_batch(const std::vector<Record>& batch) override {
    if (first_) {
      first_ = false;
      entered.set_value();
      if (block_first_) release.get_future().wait();
    }
    if (mode_ == Mode::throw_) throw std::runtime_error("boom");
    std::lock_guard lock(mutex_);
    ++batches_;
    if (mode_ == Mode::fail) return false;
    for (const auto& r : batch) ids_.push_back(r.request_id);
    return true;
  }

  const Mode mode_;
  const bool block_first_;
  bool first_ = true;
  std::mutex mutex_;
  std::vector<std::string> ids_;
  std::size_t batches_ = 0;
};

BufferedSinkOptions slow_timer(std::size_t capacity = 64) {
  return BufferedSinkOptions{.queue_capacity = capacity, .flush_interval = std::chrono::hours(1)};
}

}  // namespace

TEST_CASE("flush writes every accepted record in order", "[buffered_sink]") {
  MemorySink sink(slow_timer());
  for (int i = 0; i < 10; ++i) sink.write(make_record(i));
  sink.flush();
  const auto ids = sink.ids();
  REQUIRE(ids.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(ids[static_cast<std::size_t>(i)] == "req-" + std::to_string(i));
  const auto stats = sink.stats();
  CHECK(stats.written == 10);
  CHECK(stats.dropped == 0);
  CHECK(stats.failed == 0);
  CHECK(stats.queued == 0);
}

TEST_CASE("flush with nothing queued returns at once", "[buffered_sink]") {
  MemorySink sink(slow_timer());
  sink.flush();
  CHECK(sink.batches() == 0);
}

TEST_CASE("the timer writes queued records without a flush", "[buffered_sink]") {
  MemorySink sink(BufferedSinkOptions{.queue_capacity = 64, .flush_interval = 20ms});
  sink.write(make_record(1));
  CHECK(eventually([&] { return sink.stats().written == 1; }));
}

TEST_CASE("a full queue drops new records and counts them", "[buffered_sink]") {
  MemorySink sink(slow_timer(4), MemorySink::Mode::ok, /*block_first=*/true);
  auto entered = sink.entered.get_future();
  sink.write(make_record(0));
  sink.write(make_record(1));  // half full: wakes the writer, which blocks inside the first batch
  REQUIRE(entered.wait_for(5s) == std::future_status::ready);
  for (int i = 2; i < 12; ++i) sink.write(make_record(i));  // 4 fit in the queue, 6 are dropped

  auto stats = sink.stats();
  CHECK(stats.dropped == 6);
  CHECK(stats.queued == 6);
  CHECK(stats.written == 0);

  sink.release.set_value();
  sink.flush();
  stats = sink.stats();
  CHECK(stats.written == 6);
  CHECK(stats.dropped == 6);
  CHECK(stats.queued == 0);
  CHECK(sink.ids() == std::vector<std::string>{"req-0", "req-1", "req-2", "req-3", "req-4", "req-5"});
}

TEST_CASE("a failing batch is counted as failed and discarded", "[buffered_sink]") {
  MemorySink sink(slow_timer(), MemorySink::Mode::fail);
  for (int i = 0; i < 3; ++i) sink.write(make_record(i));
  sink.flush();
  auto stats = sink.stats();
  CHECK(stats.failed == 3);
  CHECK(stats.written == 0);
  CHECK(stats.queued == 0);
  sink.write(make_record(4));
  sink.flush();
  CHECK(sink.stats().failed == 4);  // the earlier batch is not retried
}

TEST_CASE("an exception from write_batch counts as failure and the writer survives", "[buffered_sink]") {
  MemorySink sink(slow_timer(), MemorySink::Mode::throw_);
  sink.write(make_record(0));
  sink.flush();
  sink.write(make_record(1));
  sink.flush();
  CHECK(sink.stats().failed == 2);
}

TEST_CASE("destruction writes what is still queued", "[buffered_sink]") {
  // Writes into a vector owned by the test, so the result can be seen after the sink is gone.
  class OutsideSink final : public BufferedSink {
   public:
    OutsideSink(std::vector<std::string>& out) : BufferedSink(slow_timer()), out_(out) {}
    ~OutsideSink() override { stop(); }

   private:
    bool write_batch(const std::vector<Record>& batch) override {
      for (const auto& r : batch) out_.push_back(r.request_id);
      return true;
    }
    std::vector<std::string>& out_;
  };

  std::vector<std::string> ids;
  {
    OutsideSink sink(ids);
    for (int i = 0; i < 5; ++i) sink.write(make_record(i));
    CHECK(sink.stats().queued == 5);  // the timer is an hour away: only the shutdown flush can write them
  }
  CHECK(ids == std::vector<std::string>{"req-0", "req-1", "req-2", "req-3", "req-4"});
}

TEST_CASE("concurrent writers lose nothing below capacity", "[buffered_sink]") {
  MemorySink sink(BufferedSinkOptions{.queue_capacity = 100000, .flush_interval = 5ms});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sink, t] {
      for (int i = 0; i < 1000; ++i) sink.write(make_record(t * 1000 + i));
    });
  }
  for (auto& t : threads) t.join();
  sink.flush();
  const auto stats = sink.stats();
  CHECK(stats.written == 4000);
  CHECK(stats.dropped == 0);
  CHECK(sink.ids().size() == 4000);
}

}  // namespace parity::store
