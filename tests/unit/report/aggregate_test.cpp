#include "report/aggregate.h"

#include <catch2/catch.hpp>

#include "report_test_support.h"

namespace parity::report {

using namespace testing;

TEST_CASE("verdicts are counted per route and method and in the summary", "[aggregate]") {
  Aggregate a;
  a.add(make_record({.verdict = Verdict::match}));
  a.add(make_record({.verdict = Verdict::match}));
  a.add(make_record({.verdict = Verdict::mismatch}));
  a.add(make_record({.verdict = Verdict::expected}));
  a.add(make_record({.method = "POST", .verdict = Verdict::error}));
  a.add(make_record({.route = "/health", .verdict = Verdict::match}));

  const auto routes = a.routes();
  REQUIRE(routes.size() == 3);
  CHECK(routes[0].route == "/health");
  CHECK(routes[1].route == "/v1/items");
  CHECK(routes[1].method == "GET");
  CHECK(routes[2].method == "POST");
  const auto& get = routes[1].counts;
  CHECK(get.exchanges == 4);
  CHECK(get.match == 2);
  CHECK(get.expected == 1);
  CHECK(get.mismatch == 1);
  CHECK(get.error == 0);
  CHECK(get.match_rate() == Approx(0.5));
  CHECK(get.parity_rate() == Approx(0.75));
  CHECK(get.mismatch_rate() == Approx(0.25));
  CHECK(routes[2].counts.error == 1);

  const auto& s = a.summary();
  CHECK(s.counts.exchanges == 6);
  CHECK(s.counts.match == 3);
  CHECK(s.routes == 3);
  CHECK(s.served_by.at("legacy") == 6);
}

TEST_CASE("an empty aggregate has zero rates", "[aggregate]") {
  Aggregate a;
  CHECK(a.routes().empty());
  CHECK(a.summary().counts.parity_rate() == 0);
  CHECK(a.summary().first_ts.empty());
}

TEST_CASE("latency percentiles per side", "[aggregate]") {
  Aggregate a;
  for (int i = 1; i <= 100; ++i) {
    a.add(make_record({.legacy_ms = static_cast<double>(i), .candidate_ms = static_cast<double>(i) / 2}));
  }
  a.add(make_record({.legacy_ms = 5, .candidate_ms = 9999, .candidate_status = 0}));  // failed: not timed
  const auto routes = a.routes();
  REQUIRE(routes.size() == 1);
  const auto& r = routes[0];
  CHECK(r.legacy_latency.count() == 101);
  CHECK(r.candidate_latency.count() == 100);
  // Percentiles are the upper end of the value's bucket: within 0.1% (3 significant digits).
  CHECK(r.legacy_latency.percentile(50) == Approx(50000).epsilon(0.001));
  CHECK(r.legacy_latency.percentile(99) == Approx(99000).epsilon(0.001));
  CHECK(r.candidate_latency.percentile(95) == Approx(47500).epsilon(0.001));
  CHECK(r.candidate_latency.max() == 50000);
  CHECK(a.summary().candidate_latency.count() == 100);
}

TEST_CASE("time range and served_by", "[aggregate]") {
  Aggregate a;
  a.add(make_record({.ts = "2026-11-25T18:00:05.000Z"}));
  a.add(make_record({.ts = "2026-11-25T17:59:00.000Z", .served_by = "candidate"}));
  a.add(make_record({.ts = "2026-11-25T18:10:00.000Z"}));
  a.add(make_record({.ts = ""}));
  CHECK(a.summary().first_ts == "2026-11-25T17:59:00.000Z");
  CHECK(a.summary().last_ts == "2026-11-25T18:10:00.000Z");
  CHECK(a.summary().served_by.at("legacy") == 3);
  CHECK(a.summary().served_by.at("candidate") == 1);
}

TEST_CASE("fields are counted, classified and sorted by count", "[aggregate]") {
  Aggregate a;
  for (int i = 0; i < 5; ++i) {
    auto r = make_record({.verdict = Verdict::match});
    r.differences.push_back(diff("/created", DiffKind::value, Explained::noise, i, i + 1));
    a.add(r);
  }
  for (int i = 0; i < 3; ++i) {
    auto r = make_record({.verdict = Verdict::mismatch});
    r.differences.push_back(diff("/name", DiffKind::value, Explained::none, "a", "b"));
    r.differences.push_back(diff("/tags", DiffKind::array_length, Explained::none, 2, 3));
    a.add(r);
  }
  auto partly = make_record({.verdict = Verdict::mismatch});
  partly.differences.push_back(diff("/created", DiffKind::value, Explained::none, 7, 8));
  a.add(partly);
  auto err = make_record({.verdict = Verdict::expected});
  err.differences.push_back(diff("/detail", DiffKind::missing, Explained::error_format, "bad", nullptr));
  a.add(err);

  const auto routes = a.routes();
  REQUIRE(routes.size() == 1);
  const auto& fields = routes[0].fields;
  REQUIRE(fields.size() == 4);
  CHECK(fields[0].pointer == "/created");
  CHECK(fields[0].count == 6);
  CHECK(fields[0].noise_count == 5);
  CHECK_FALSE(fields[0].noise());  // one occurrence was not explained as noise
  CHECK(fields[1].pointer == "/name");
  CHECK(fields[1].count == 3);
  CHECK(fields[2].pointer == "/tags");
  CHECK(fields[2].kind == DiffKind::array_length);
  CHECK(fields[3].pointer == "/detail");
  CHECK(fields[3].expected());
  CHECK_FALSE(fields[3].noise());
}

TEST_CASE("examples keep up to three distinct pairs", "[aggregate]") {
  Aggregate a;
  for (int i = 0; i < 10; ++i) {
    auto r = make_record({});
    r.request_id = "req-" + std::to_string(i);
    r.differences.push_back(diff("/n", DiffKind::value, Explained::none, i % 2 ? 1 : 0, i));
    a.add(r);
  }
  auto same = make_record({});
  same.differences.push_back(diff("/s", DiffKind::value, Explained::none, "x", "y"));
  a.add(same);
  a.add(same);

  const auto fields = a.routes()[0].fields;
  const auto& n = fields[0];
  REQUIRE(n.pointer == "/n");
  REQUIRE(n.examples.size() == 3);
  CHECK(n.examples[0].legacy == 0);
  CHECK(n.examples[0].candidate == 0);
  CHECK(n.examples[0].request_id == "req-0");
  CHECK(n.examples[2].candidate == 2);
  CHECK(fields[1].examples.size() == 1);
}

TEST_CASE("long example values are cut on a character boundary", "[aggregate]") {
  Aggregate a(AggregateOptions{.max_fields_per_route = 10, .max_examples = 3, .max_example_chars = 10});
  auto r = make_record({});
  r.differences.push_back(diff("/text", DiffKind::value, Explained::none, "ééééééééééé", nlohmann::json{{"k", "vvvvvvvvvv"}}));
  a.add(r);
  const auto routes = a.routes();
  const auto& e = routes[0].fields[0].examples[0];
  CHECK(e.legacy == "ééééé…");
  CHECK(e.candidate == "{\"k\":\"vvvv…");
}

TEST_CASE("distinct fields per route are capped and the rest counted", "[aggregate]") {
  Aggregate a(AggregateOptions{.max_fields_per_route = 2});
  auto r = make_record({.verdict = Verdict::mismatch});
  for (int i = 0; i < 5; ++i) r.differences.push_back(diff("/f" + std::to_string(i)));
  a.add(r);
  a.add(r);
  const auto routes = a.routes();
  CHECK(routes[0].fields.size() == 2);
  CHECK(routes[0].fields[0].count == 2);
  CHECK(routes[0].fields_overflow == 6);
}

TEST_CASE("array elements are one field, counted once per exchange", "[aggregate]") {
  Aggregate a;
  auto all_noise = make_record({.verdict = Verdict::match});
  all_noise.request_id = "req-1";
  for (int i = 0; i < 7; ++i) {
    all_noise.differences.push_back(diff("/events/" + std::to_string(i) + "/id", DiffKind::value, Explained::noise, i, -i));
  }
  a.add(all_noise);
  auto partly = make_record({.verdict = Verdict::mismatch});
  partly.request_id = "req-2";
  partly.differences.push_back(diff("/events/0/id", DiffKind::value, Explained::noise, "a", "b"));
  partly.differences.push_back(diff("/events/1/id", DiffKind::value, Explained::none, "c", "d"));
  partly.differences.push_back(diff("/events/1/choices/0/delta/content", DiffKind::value, Explained::none, "x", "y"));
  partly.differences.push_back(diff("/events/4", DiffKind::missing, Explained::none, 1, nullptr));
  a.add(partly);

  const auto routes = a.routes();
  REQUIRE(routes.size() == 1);
  const auto& fields = routes[0].fields;
  REQUIRE(fields.size() == 3);
  const auto& id = fields[0];
  CHECK(id.pointer == "/events/*/id");
  CHECK(id.count == 2);        // not 9: a share of the route's 2 exchanges
  CHECK(id.noise_count == 1);  // in req-2 one of its differences was not noise
  CHECK_FALSE(id.noise());
  REQUIRE(id.examples.size() == 2);
  CHECK(id.examples[0].pointer == "/events/0/id");  // the first difference of each exchange
  CHECK(id.examples[0].request_id == "req-1");
  CHECK(id.examples[1].legacy == "a");
  CHECK(fields[1].pointer == "/events/*");
  CHECK(fields[1].kind == DiffKind::missing);
  CHECK(fields[1].examples[0].pointer == "/events/4");
  CHECK(fields[2].pointer == "/events/*/choices/*/delta/content");
  CHECK(fields[2].count == 1);
}

}  // namespace parity::report
