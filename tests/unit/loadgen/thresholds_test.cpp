#include <catch2/catch.hpp>

#include "loadgen/thresholds.h"
#include "results_support.h"

using namespace parity::loadgen;

TEST_CASE("thresholds: parse ratios and absolute figures", "[loadgen]") {
  std::string error;
  auto t = parse_threshold("p99_ratio>1.2", error);
  REQUIRE(t);
  CHECK(t->target.empty());
  CHECK(t->figure == "p99");
  CHECK(t->op == ">");
  CHECK(t->limit == Approx(1.2));
  auto u = parse_threshold("candidate.error_rate >= 0.01", error);
  REQUIRE(u);
  CHECK(u->target == "candidate");
  CHECK(u->figure == "error_rate");
  CHECK(u->op == ">=");
  CHECK_FALSE(parse_threshold("p99>1.2", error));
  CHECK(error.find("_ratio") != std::string::npos);
  CHECK_FALSE(parse_threshold("p42_ratio>1", error));
  CHECK(error.find("p42") != std::string::npos);
  CHECK_FALSE(parse_threshold("p99_ratio>abc", error));
  CHECK_FALSE(parse_threshold("staging.p99>3", error));
  CHECK_FALSE(parse_threshold("p99_ratio", error));
}

TEST_CASE("thresholds: checked at each level, missing figures fail", "[loadgen]") {
  const auto results = test::make_results();  // candidate p99 20 ms vs legacy 40 ms: ratio 0.5
  std::string error;
  auto check = [&](const std::string& text) { return check_thresholds({*parse_threshold(text, error)}, results); };
  CHECK(check("p99_ratio>1.2").empty());
  const auto crossed = check("p99_ratio>0.4");
  REQUIRE(crossed.size() == 1);
  CHECK(crossed[0].find("at concurrency 10 (closed-loop)") != std::string::npos);  // the tables' level title
  CHECK(check("throughput_ratio<1.4").empty());   // 1.5015x
  CHECK(check("throughput_ratio<1.6").size() == 1);
  CHECK(check("candidate.p50>6").empty());
  CHECK(check("candidate.p50>4").size() == 1);
  CHECK(check("candidate.error_rate>0").size() == 1);
  CHECK(check("legacy.error_rate>0").empty());
  const auto missing = check("gateway.p99>1");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].find("cannot be computed") != std::string::npos);
  CHECK(check("cpu_s_ratio>2").size() == 1);  // no --pid figures: cannot pass blind
}
