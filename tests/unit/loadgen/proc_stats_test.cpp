#include <catch2/catch.hpp>
#include <unistd.h>

#include "loadgen/proc_stats.h"

using namespace parity::loadgen;

TEST_CASE("proc: CPU seconds from /proc/PID/stat, even with spaces and parentheses in the name", "[loadgen]") {
  const std::string stat = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 4 0 100 0 0";
  auto cpu = parse_stat_cpu_seconds(stat, 100);
  REQUIRE(cpu);
  CHECK(*cpu == Approx(3.0));
  CHECK_FALSE(parse_stat_cpu_seconds("4242 (x) S 1 2", 100));
  CHECK_FALSE(parse_stat_cpu_seconds("garbage", 100));
}

TEST_CASE("proc: RSS from /proc/PID/status", "[loadgen]") {
  auto rss = parse_status_rss_bytes("Name:\tx\nVmHWM:\t  9000 kB\nVmRSS:\t    2048 kB\n");
  REQUIRE(rss);
  CHECK(*rss == 2048u * 1024u);
  CHECK_FALSE(parse_status_rss_bytes("Name:\tkthread\n"));
}

TEST_CASE("proc: sampling this process works, a missing one is an error", "[loadgen]") {
  std::string error;
  auto me = sample_process(getpid(), error);
  REQUIRE(me);
  CHECK(me->rss_bytes > 0);
  CHECK_FALSE(sample_process(0, error));
  CHECK(error.find("not found") != std::string::npos);
}
