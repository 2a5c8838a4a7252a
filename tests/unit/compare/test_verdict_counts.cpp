#include <catch2/catch.hpp>

#include "compare/verdict_counts.h"

using parity::compare::Verdict;
using parity::compare::VerdictCounts;

TEST_CASE("verdict counts: one counter per verdict, shares of all exchanges") {
  VerdictCounts c;
  CHECK(c.parity_rate() == 0);  // no exchanges: no division by zero
  for (auto v : {Verdict::match, Verdict::match, Verdict::expected, Verdict::mismatch, Verdict::error}) c.add(v);
  CHECK(c.exchanges == 5);
  CHECK(c.match == 2);
  CHECK(c.expected == 1);
  CHECK(c.mismatch == 1);
  CHECK(c.error == 1);
  CHECK(c.match_rate() == Approx(0.4));
  CHECK(c.parity_rate() == Approx(0.6));  // expected counts as parity
  CHECK(c.mismatch_rate() == Approx(0.2));
  CHECK(c.error_rate() == Approx(0.2));
}
