#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "gateway/upstream/balancer.h"

using namespace parity::upstream;
using parity::config::Balance;

TEST_CASE("round robin cycles through the available instances and skips the others") {
  Balancer b;
  std::vector<Candidate> c(3);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(*b.pick(Balance::round_robin, c, 0.0));
  CHECK(picks == std::vector<std::size_t>{0, 1, 2, 0, 1, 2});
  c[1].available = false;
  picks.clear();
  for (int i = 0; i < 4; ++i) picks.push_back(*b.pick(Balance::round_robin, c, 0.0));
  CHECK(picks == std::vector<std::size_t>{0, 2, 0, 2});
}

TEST_CASE("no available instance, or only weight 0 ones, picks nothing") {
  Balancer b;
  std::vector<Candidate> c(2);
  c[0].available = false;
  c[1].weight = 0;
  for (auto policy : {Balance::round_robin, Balance::random, Balance::weighted}) {
    CHECK_FALSE(b.pick(policy, c, 0.5).has_value());
  }
  CHECK_FALSE(b.pick(Balance::round_robin, std::vector<Candidate>{}, 0.5).has_value());
}

TEST_CASE("random maps the random value uniformly over the available instances") {
  Balancer b;
  std::vector<Candidate> c(4);
  c[2].available = false;  // available: 0, 1, 3
  CHECK(*b.pick(Balance::random, c, 0.0) == 0);
  CHECK(*b.pick(Balance::random, c, 0.34) == 1);
  CHECK(*b.pick(Balance::random, c, 0.7) == 3);
  CHECK(*b.pick(Balance::random, c, 0.999999) == 3);
  CHECK(*b.pick(Balance::random, c, 7.0) == 0);  // out of range is clamped, never out of bounds
}

TEST_CASE("weighted splits by weight, as for a 90/10 canary") {
  Balancer b;
  std::vector<Candidate> c{{90, true}, {10, true}};
  std::map<std::size_t, int> counts;
  for (int i = 0; i < 1000; ++i) counts[*b.pick(Balance::weighted, c, i / 1000.0)]++;
  CHECK(counts[0] == 900);
  CHECK(counts[1] == 100);
  c[0].available = false;  // the canary takes everything when the main instance is out
  CHECK(*b.pick(Balance::weighted, c, 0.0) == 1);
  CHECK(*b.pick(Balance::weighted, c, 0.99) == 1);
}
