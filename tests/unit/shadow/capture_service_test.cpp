#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>

#include "shadow/capture_service.h"

using namespace parity;
using namespace parity::shadow;

namespace {

class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::time_point{}; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  }
};

// A writer whose first batch blocks until released, so the queue can be filled deterministically.
class BlockingWriter final : public store::BufferedWriter<store::TrafficRequest> {
 public:
  explicit BlockingWriter(std::size_t capacity)
      : BufferedWriter({capacity, std::chrono::milliseconds(1)}) {}
  ~BlockingWriter() override {
    try {
      release.set_value();
    } catch (const std::future_error&) {
      // already released by the test
    }
    stop();
  }
  std::promise<void> entered;
  std::promise<void> release;
  std::vector<store::TrafficRequest> written() {
    std::lock_guard lock(mutex_);
    return written_;
  }

 private:
  bool write_batch(const std::vector<store::TrafficRequest>& batch) override {
    if (first_) {
      first_ = false;
      entered.set_value();
      release_future_.wait();
    }
    std::lock_guard lock(mutex_);
    written_.insert(written_.end(), batch.begin(), batch.end());
    return true;
  }
  bool first_ = true;
  std::shared_future<void> release_future_ = release.get_future().share();
  std::mutex mutex_;
  std::vector<store::TrafficRequest> written_;
};

HttpRequest get(std::string target) { return {"GET", std::move(target), {{"Authorization", "Bearer s3cret"}}, ""}; }

}  // namespace

TEST_CASE("a full capture queue drops, counts and warns without blocking the caller") {
  config::Config cfg;
  cfg.capture.enabled = true;
  cfg.capture.queue = 2;
  auto route = config::default_route();
  std::ostringstream log_text;
  auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text));
  MetricsRegistry metrics;
  FixedClock clock;
  BlockingWriter writer(2);
  CaptureService service({log, &metrics, &clock, &writer});

  REQUIRE(service.offer_plain(cfg, route, get("/a"), {{}, "c", "/", "1"}, 0.0));
  writer.entered.get_future().wait();  // the writer holds /a and is blocked
  CHECK(service.offer_plain(cfg, route, get("/b"), {{}, "c", "/", "2"}, 0.0));
  CHECK(service.offer_plain(cfg, route, get("/c"), {{}, "c", "/", "3"}, 0.0));
  CHECK_FALSE(service.offer_plain(cfg, route, get("/d"), {{}, "c", "/", "4"}, 0.0));
  CHECK_FALSE(service.offer_plain(cfg, route, get("/e"), {{}, "c", "/", "5"}, 0.0));
  CHECK(metrics.counter_total("parity_capture_dropped_total") == 2);
  CHECK(metrics.counter_total("parity_captured_total") == 3);
  log->flush();
  // Throttled: one warning for the two drops.
  const auto text = log_text.str();
  CHECK(text.find("capture queue full") != std::string::npos);
  CHECK(text.find("capture queue full") == text.rfind("capture queue full"));
  writer.release.set_value();
  writer.flush();
  auto written = writer.written();
  REQUIRE(written.size() == 3);
  CHECK(written[2].request.target == "/c");
  CHECK(written[0].request.headers.empty());  // Authorization never reaches the writer
}

TEST_CASE("the rate cap skips captures and counts them apart from queue drops") {
  config::Config cfg;
  cfg.capture.enabled = true;
  cfg.capture.rate_per_s = 1;
  auto route = config::default_route();
  auto log = std::make_shared<spdlog::logger>("t");
  MetricsRegistry metrics;
  FixedClock clock;  // time stands still: one token only
  BlockingWriter writer(16);
  CaptureService service({log, &metrics, &clock, &writer});
  CHECK(service.offer_plain(cfg, route, get("/a"), {}, 0.0));
  CHECK_FALSE(service.offer_plain(cfg, route, get("/b"), {}, 0.0));
  CHECK(metrics.counter_total("parity_capture_dropped_total") == 1);
  writer.release.set_value();
}
