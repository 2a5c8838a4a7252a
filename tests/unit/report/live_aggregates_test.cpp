#include "report/live_aggregates.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "report_test_support.h"

namespace parity::report {

using namespace testing;

TEST_CASE("live aggregates take records from several threads", "[live_aggregates]") {
  LiveAggregates live;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&live, t] {
      for (int i = 0; i < 500; ++i) {
        live.add(make_record({.route = "/r" + std::to_string(t), .verdict = i % 5 ? Verdict::match : Verdict::mismatch}));
        if (i % 100 == 0) (void)live.to_prometheus();  // readers run while writers add
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto snap = live.snapshot();
  CHECK(snap.summary().counts.exchanges == 2000);
  CHECK(snap.summary().counts.mismatch == 400);
  CHECK(snap.routes().size() == 4);
}

TEST_CASE("the admin JSON embeds mergeable histograms", "[live_aggregates]") {
  LiveAggregates live;
  live.add(make_record({.legacy_ms = 12}));
  const auto j = live.to_json();
  CHECK(j["summary"]["exchanges"] == 1);
  auto h = LatencyHistogram::from_json(j["routes"][0]["latency"]["legacy"]["histogram"]);
  REQUIRE(h);
  CHECK(h->percentile(50) == 12000);
  CHECK(live.to_prometheus().find("parity_exchanges_total{") != std::string::npos);
}

TEST_CASE("a snapshot does not change with later records", "[live_aggregates]") {
  LiveAggregates live;
  live.add(make_record({}));
  const auto snap = live.snapshot();
  live.add(make_record({}));
  CHECK(snap.summary().counts.exchanges == 1);
  CHECK(live.snapshot().summary().counts.exchanges == 2);
}

}  // namespace parity::report
