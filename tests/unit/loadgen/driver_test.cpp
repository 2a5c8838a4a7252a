#include <catch2/catch.hpp>

#include "config/url.h"
#include "loadgen/driver.h"

using namespace parity;
using namespace parity::loadgen;

namespace {
config::BackendConfig backend(const std::string& url) {
  config::BackendConfig b;
  std::string error;
  b.url = url;
  b.parsed = *config::parse_url(url, error);
  b.connect_timeout_ms = 1000;
  b.timeout_ms = 1000;
  return b;
}
}  // namespace

TEST_CASE("driver: a refused target is counted as connect errors, without spinning or throwing", "[loadgen]") {
  auto mix = single_request_mix("/v1/models").mix;
  PhaseSpec spec;
  spec.backend = backend("http://127.0.0.1:1");  // nothing listens on port 1
  spec.connections = 2;
  spec.threads = 2;
  spec.duration = std::chrono::milliseconds(200);
  PhaseProgress progress;
  auto run = run_phase(mix, spec, progress);
  CHECK(run.measured);
  CHECK(run.overall.responses == 0);
  CHECK(run.overall.errors["connect"] == run.overall.requests);
  CHECK(run.overall.requests >= 2);
  CHECK(run.overall.requests < 40);  // 50 ms back-off per failure
  CHECK(progress.done.load() == run.overall.requests);
  CHECK(probe(mix, spec.backend).find("127.0.0.1:1") != std::string::npos);
}

TEST_CASE("driver: a bad CA file for an https target stops the phase with a message", "[loadgen]") {
  auto mix = single_request_mix("/").mix;
  PhaseSpec spec;
  spec.backend = backend("https://127.0.0.1:1");
  spec.backend.ca = "/nonexistent/ca.crt";
  PhaseProgress progress;
  auto run = run_phase(mix, spec, progress);
  CHECK_FALSE(run.measured);
  CHECK(run.error.find("CA") != std::string::npos);
}
