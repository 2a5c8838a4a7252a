#include <catch2/catch.hpp>

#include <thread>

#include "compare/compare.h"
#include "compare/noise.h"
#include "support.h"

using namespace parity;
using namespace parity::compare;
using nlohmann::json;

namespace {

Difference value_diff(std::string pointer, json legacy, json candidate) {
  return Difference{std::move(pointer), DiffKind::value, std::move(legacy), std::move(candidate), Explained::none};
}

}  // namespace

TEST_CASE("Diffy's signal: raw differences must clearly outnumber legacy-vs-legacy noise", "[noise]") {
  NoiseLearner learner;
  const std::string route = "/v1/files/{file_id}";
  // 100 exchanges: /id differs every time, /price in 50, /name in 10.
  for (int i = 0; i < 100; ++i) {
    std::vector<Difference> raw = {value_diff("/id", test::numbered("a", i), "a")};
    if (i % 2 == 0) raw.push_back(value_diff("/price", 1, 2));
    if (i % 10 == 0) raw.push_back(value_diff("/name", "x", "y"));
    learner.observe_exchange(route, raw);
  }
  // 10 legacy pairs: /id differs every time, /price in 4 of them, /name never.
  for (int i = 0; i < 10; ++i) {
    std::vector<Difference> noise = {value_diff("/id", "a", "b")};
    if (i < 4) noise.push_back(value_diff("/price", 1, 3));
    learner.observe_noise(route, noise);
  }
  auto id = learner.stats(route, "/id");
  CHECK(id.exchanges == 100);
  CHECK(id.noise_samples == 10);
  CHECK(id.raw == 100);
  CHECK(id.noise == 10);
  CHECK(learner.is_noise(route, "/id"));         // raw rate 1.0 = noise rate 1.0
  CHECK(learner.is_noise(route, "/price"));      // 0.5 vs 0.4: relative (0.1 / 0.9) 11% < 20%
  CHECK_FALSE(learner.is_noise(route, "/name")); // never differs between legacy calls
  CHECK_FALSE(learner.is_noise("/other", "/id")); // learned per route

  SECTION("a field differing far more often than its noise is real") {
    NoiseLearner l2;
    for (int i = 0; i < 100; ++i) l2.observe_exchange(route, {value_diff("/price", 1, 2)});
    for (int i = 0; i < 10; ++i) {
      l2.observe_noise(route, i == 0 ? std::vector<Difference>{value_diff("/price", 1, 3)} : std::vector<Difference>{});
    }
    CHECK_FALSE(l2.is_noise(route, "/price"));  // 1.0 vs 0.1: relative 82%
  }
  SECTION("thresholds are injectable") {
    NoiseThresholds strict;
    strict.relative = 0.05;
    NoiseLearner l3(strict);
    for (int i = 0; i < 100; ++i) l3.observe_exchange(route, i % 2 == 0 ? std::vector<Difference>{value_diff("/price", 1, 2)} : std::vector<Difference>{});
    for (int i = 0; i < 10; ++i) l3.observe_noise(route, i < 4 ? std::vector<Difference>{value_diff("/price", 1, 3)} : std::vector<Difference>{});
    CHECK_FALSE(l3.is_noise(route, "/price"));  // 11% > 5%
  }
}

TEST_CASE("never-repeating values are noise after enough exchanges", "[noise]") {
  NoiseThresholds thresholds;
  thresholds.min_distinct = 10;
  NoiseLearner learner(thresholds);
  const std::string route = "/v1/chat/completions";
  for (int i = 0; i < 9; ++i) {
    learner.observe_exchange(route, {value_diff("/id", test::numbered("chatcmpl-L", i), test::numbered("chatcmpl-C", i))});
  }
  CHECK_FALSE(learner.is_noise(route, "/id"));
  learner.observe_exchange(route, {value_diff("/id", "chatcmpl-L9", "chatcmpl-C9")});
  CHECK(learner.is_noise(route, "/id"));
  CHECK(learner.stats(route, "/id").never_repeats);

  SECTION("a value repeated within one exchange (a stream id in every event) is not a repeat") {
    NoiseLearner l(thresholds);
    for (int i = 0; i < 10; ++i) {
      const std::string a = test::numbered("L", i), b = test::numbered("C", i);
      l.observe_exchange(route, {value_diff("/events/0/id", a, b), value_diff("/events/1/id", a, b),
                                 value_diff("/events/2/id", a, b)});
    }
    CHECK(l.is_noise(route, "/events/5/id"));
  }
  SECTION("a value seen again in another exchange means the field repeats") {
    learner.observe_exchange(route, {value_diff("/id", "chatcmpl-L3", "chatcmpl-C99")});
    CHECK_FALSE(learner.is_noise(route, "/id"));
  }
  SECTION("a candidate that always answers the same wrong value is not noise") {
    NoiseLearner l(thresholds);
    for (int i = 0; i < 20; ++i) l.observe_exchange(route, {value_diff("/total", i, 0)});
    CHECK_FALSE(l.is_noise(route, "/total"));
  }
  SECTION("enough legacy pairs without noise at the field overrule never-repeating") {
    NoiseThresholds t = thresholds;
    t.overrule_samples = 5;
    NoiseLearner l(t);
    for (int i = 0; i < 10; ++i) l.observe_exchange(route, {value_diff("/price", i, i + 100)});
    CHECK(l.is_noise(route, "/price"));
    for (int i = 0; i < 4; ++i) l.observe_noise(route, {});
    CHECK(l.is_noise(route, "/price"));
    l.observe_noise(route, {});
    CHECK_FALSE(l.is_noise(route, "/price"));
  }
}

TEST_CASE("the learner's memory is bounded", "[noise]") {
  NoiseThresholds t;
  t.max_fields = 3;
  t.max_values = 4;
  t.min_distinct = 6;
  NoiseLearner learner(t);
  for (int i = 0; i < 6; ++i) {
    learner.observe_exchange("r", {value_diff("/a", i, -i - 1), value_diff("/b", 1, 2), value_diff("/c", 1, 2),
                                   value_diff("/d", i, -i - 1)});
  }
  CHECK(learner.stats("r", "/a").raw == 6);
  CHECK(learner.stats("r", "/d").raw == 0);  // a fourth field is not tracked
  CHECK(learner.is_noise("r", "/a"));        // still judged with only 4 fingerprints kept
  // A repeat of a kept fingerprint is still noticed.
  learner.observe_exchange("r", {value_diff("/a", 0, 1000)});
  CHECK_FALSE(learner.is_noise("r", "/a"));
}

TEST_CASE("the learner is safe to share between threads", "[noise]") {
  NoiseLearner learner;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&learner, t] {
      for (int i = 0; i < 500; ++i) {
        learner.observe_exchange("r", {value_diff("/id", t * 1000 + i, -1 - t * 1000 - i)});
        if (i % 10 == 0) learner.observe_noise("r", {value_diff("/id", 1, 2)});
        (void)learner.is_noise("r", "/id");
      }
    });
  }
  for (auto& th : threads) th.join();
  auto s = learner.stats("r", "/id");
  CHECK(s.exchanges == 2000);
  CHECK(s.raw == 2000);
  CHECK(s.noise_samples == 200);
  CHECK(s.noise == 200);
}

TEST_CASE("compare_responses marks learned noise", "[noise]") {
  NoiseLearner learner;
  Rules rules;
  const std::string route = "/v1/models";
  const auto body = [](int n) {
    std::string text = R"({"object":"list","request_id":"req-)";
    text += std::to_string(n);
    text += R"(","data":[{"id":"m1"}]})";
    return text;
  };
  // A second legacy call to the same request shows /request_id changes on every call.
  for (int i = 0; i < 3; ++i) {
    auto noise = compare_responses(test::response(200, body(i)), test::response(200, body(i + 100)), rules);
    learner.observe_noise(route, noise.differences);
  }
  auto c = compare_responses(test::response(200, body(1)), test::response(200, body(2)), rules, route, &learner);
  REQUIRE(c.differences.size() == 1);
  CHECK(c.differences[0].explained == Explained::noise);
  CHECK(c.verdict == Verdict::match);
  learner.observe_exchange(route, c.differences);

  // Other routes learned nothing; without a learner nothing is noise.
  CHECK(compare_responses(test::response(200, body(1)), test::response(200, body(2)), rules, "/v1/other", &learner)
            .verdict == Verdict::mismatch);
  CHECK(compare_responses(test::response(200, body(1)), test::response(200, body(2)), rules).verdict ==
        Verdict::mismatch);

  // Learned noise never explains a status difference.
  auto other_status = test::response(500, body(2));
  c = compare_responses(test::response(200, body(1)), other_status, rules, route, &learner);
  CHECK(c.verdict == Verdict::mismatch);
  CHECK(c.differences[0].pointer == "status");
  CHECK(c.differences[0].explained == Explained::none);
}
