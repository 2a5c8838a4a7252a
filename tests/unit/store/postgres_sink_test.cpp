// The PostgreSQL sink without a server: connection refused is the "database down" degraded mode. The
// sink with a real server is covered by tests/integration/test_cluster_postgres.py.
#include <catch2/catch.hpp>

#include "store/fanout_sink.h"
#include "store/postgres_sink.h"
#include "store_test_support.h"

using namespace parity::store;
using namespace parity::store::testing;

namespace {

// Port 1 on loopback: nothing listens there, so connecting fails at once.
constexpr const char* kDownUrl = "postgres://parity:s3cret@127.0.0.1:1/parity?connect_timeout=2";

PostgresSinkOptions down_options() {
  PostgresSinkOptions o;
  o.url = kDownUrl;
  o.buffer.flush_interval = std::chrono::milliseconds(10);
  o.buffer.queue_capacity = 4;
  o.warn_interval = std::chrono::seconds(30);
  return o;
}

}  // namespace

TEST_CASE("postgres URLs are recognised and their password never shown", "[postgres]") {
  CHECK(is_postgres_url("postgres://u@h/db"));
  CHECK(is_postgres_url("postgresql://h/db"));
  CHECK_FALSE(is_postgres_url("parity-data"));
  CHECK_FALSE(is_postgres_url("mysql://h/db"));
  CHECK(redact_postgres_url("postgres://parity:s3cret@db:5432/p") == "postgres://parity:****@db:5432/p");
  CHECK(redact_postgres_url("postgres://parity@db/p") == "postgres://parity@db/p");
  CHECK(redact_postgres_url("postgres://db:5432/p") == "postgres://db:5432/p");
}

TEST_CASE("a database that is down: every record is counted, one warning, no password", "[postgres]") {
  CapturedLog log;
  auto clock = std::make_shared<FakeClock>();
  PostgresSink sink(down_options(), log.logger, clock);
  CHECK_FALSE(sink.connected());
  for (int i = 0; i < 3; ++i) sink.write(make_record(i));
  sink.flush();
  for (int i = 0; i < 3; ++i) sink.write(make_record(i));
  sink.flush();
  auto stats = sink.stats();
  CHECK(stats.written == 0);
  CHECK(stats.failed + stats.dropped == 6);
  CHECK(stats.queued == 0);
  const auto text = log.text();
  CHECK(count_of(text, "warning store: ") == 1);  // rate-limited: the clock did not move
  CHECK(text.find("PostgreSQL unavailable") != std::string::npos);
  CHECK(text.find("s3cret") == std::string::npos);
  CHECK(text.find("parity:****@127.0.0.1:1") != std::string::npos);
  clock->advance(std::chrono::seconds(31));
  sink.write(make_record(7));
  sink.flush();
  CHECK(count_of(log.text(), "warning store: ") == 2);
  CHECK(sink.stats().failed + sink.stats().dropped == 7);
}

namespace {

class CountingSink final : public RecordSink {
 public:
  void write(Record record) override { last = std::move(record), ++stats_.written; }
  void flush() override { ++flushes; }
  SinkStats stats() const override { return stats_; }
  Record last;
  int flushes = 0;
  SinkStats stats_;
};

}  // namespace

TEST_CASE("the fan-out hands every record to each sink", "[fanout]") {
  CountingSink a;
  CountingSink b;
  FanoutSink both({&a, nullptr, &b});
  both.write(make_record(1));
  both.write(make_record(2));
  both.flush();
  CHECK(a.stats().written == 2);
  CHECK(b.stats().written == 2);
  CHECK(a.last.request_id == "req-2");
  CHECK(b.last.request_id == "req-2");
  CHECK(a.flushes == 1);
  CHECK(b.flushes == 1);
  CHECK(both.stats().written == 4);
}
