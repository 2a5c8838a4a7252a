#include <catch2/catch.hpp>
#include <sstream>

#include "loadgen/progress.h"

using namespace parity::loadgen;

TEST_CASE("progress: plain lines off a terminal, a redrawn bar on one", "[loadgen]") {
  TargetRun run;
  run.seconds = 2;
  run.overall.requests = 400;
  run.overall.errors["reset"] = 4;
  const PhaseInfo info{"legacy", "c=10", "round 1/2", 2.0};

  std::ostringstream plain;
  Progress lines(plain, false);
  lines.tick(info, 1.0, 200, 0);
  lines.finished(info, run);
  CHECK(plain.str() == "legacy c=10 round 1/2: 400 requests in 2.0 s (200 req/s), 4 errors\n");

  std::ostringstream term;
  Progress bar(term, true);
  bar.tick(info, 1.0, 200, 2);
  CHECK(term.str().find("\r") == 0);
  CHECK(term.str().find(" 50%") != std::string::npos);
  CHECK(term.str().find("############            ]") != std::string::npos);
  bar.finished(PhaseInfo{"legacy", "c=10", "warm-up", 1.0}, run);  // warm-up: the bar is cleared, no line
  CHECK(term.str().find("400 requests") == std::string::npos);
}
