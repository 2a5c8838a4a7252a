#include <catch2/catch.hpp>
#include <sstream>

#include "cli/bench_command.h"

using namespace parity::cli;

namespace {
int run(BenchOptions o, std::string& err) {
  std::ostringstream out, e;
  const int code = run_bench(o, out, e, false);
  err = e.str();
  return code;
}
BenchOptions base() {
  BenchOptions o;
  o.legacy = "http://127.0.0.1:1";
  o.url = "/v1/models";
  o.duration = "100ms";
  o.warmup = "0s";
  return o;
}
}  // namespace

TEST_CASE("bench command: usage errors exit 2 with a message naming the option", "[loadgen]") {
  std::string err;
  auto o = base();
  o.legacy.clear();
  CHECK(run(o, err) == 2);
  CHECK(err.find("at least one target") != std::string::npos);
  o = base();
  o.concurrency = "10,x";
  CHECK(run(o, err) == 2);
  CHECK(err.find("--concurrency") != std::string::npos);
  o = base();
  o.fail_if = {"p99>2"};
  CHECK(run(o, err) == 2);
  CHECK(err.find("--fail-if") != std::string::npos);
  o = base();
  o.legacy = "ftp://x";
  CHECK(run(o, err) == 2);
  CHECK(err.find("--legacy") != std::string::npos);
  o = base();
  o.requests = "/nonexistent.jsonl";
  o.url.clear();
  CHECK(run(o, err) == 2);
  CHECK(err.find("nonexistent") != std::string::npos);
  o = base();
  o.pids = {"candidate=1"};
  CHECK(run(o, err) == 2);
  CHECK(err.find("no --candidate") != std::string::npos);
  o = base();
  o.duration = "0s";
  CHECK(run(o, err) == 2);
}

TEST_CASE("bench command: an unreachable target is reported and exits 1", "[loadgen]") {
  std::string err;
  std::ostringstream out, e;
  auto o = base();
  const int code = run_bench(o, out, e, false);
  CHECK(code == 1);
  CHECK(e.str().find("unreachable") != std::string::npos);
  CHECK(out.str().find("not measured") != std::string::npos);
}
