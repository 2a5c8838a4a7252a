#include <catch2/catch.hpp>
#include <fstream>

#include "loadgen/mix.h"
#include "tests/unit/store/store_test_support.h"

using namespace parity;
using namespace parity::loadgen;

TEST_CASE("mix: entries are drawn in proportion to their weights", "[loadgen]") {
  std::vector<MixEntry> entries(3);
  entries[0].endpoint = "a";
  entries[0].weight = 1;
  entries[1].endpoint = "b";
  entries[1].weight = 3;
  entries[2].endpoint = "c";
  entries[2].weight = 6;
  RequestMix mix(entries);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 1000; ++i) ++counts[mix.pick((i + 0.5) / 1000.0)];
  CHECK(counts[0] == 100);
  CHECK(counts[1] == 300);
  CHECK(counts[2] == 600);
  CHECK(mix.pick(0.0) == 0);
  CHECK(mix.pick(0.9999999) == 2);
  CHECK(mix.pick(1.0) == 2);
}

TEST_CASE("mix: the shipped fixture mix loads with names and weights", "[loadgen]") {
  auto loaded = load_mix(std::string(PARITY_SOURCE_DIR) + "/fixtures/requests/openai-mix.jsonl");
  REQUIRE(loaded.ok);
  CHECK(loaded.warnings.empty());
  CHECK(loaded.mix.entries().size() == 13);
  const auto endpoints = loaded.mix.endpoints();
  CHECK(endpoints.front() == "models-list");
  CHECK(loaded.mix.entries()[2].request.method == "POST");
  CHECK(loaded.mix.entries()[2].weight == 5);
}

TEST_CASE("mix: malformed lines are skipped with their line number, an all-bad file is an error", "[loadgen]") {
  store::testing::TempDir dir;  // not the working directory: the test must leave nothing behind
  const std::string path = (dir.path() / "mix.jsonl").string();
  {
    std::ofstream out(path);
    out << "{\"method\": \"GET\", \"path\": \"/v1/models\"}\nnot json\n{\"path\": 3}\n";
  }
  auto loaded = load_mix(path);
  REQUIRE(loaded.ok);
  CHECK(loaded.mix.entries().size() == 1);
  CHECK(loaded.mix.entries()[0].endpoint == "GET /v1/models");
  REQUIRE(loaded.warnings.size() == 2);
  CHECK(loaded.warnings[0].find(":2:") != std::string::npos);
  {
    std::ofstream out(path);
    out << "nope\n";
  }
  auto bad = load_mix(path);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("no valid request") != std::string::npos);
  auto missing = load_mix("/nonexistent/mix.jsonl");
  CHECK_FALSE(missing.ok);
  CHECK_FALSE(missing.error.empty());
}

TEST_CASE("mix: a single URL or path becomes a one-request GET mix", "[loadgen]") {
  auto a = single_request_mix("http://example.test:8000/v1/models?x=1");
  REQUIRE(a.ok);
  CHECK(a.mix.entries()[0].request.target == "/v1/models?x=1");
  CHECK(a.mix.entries()[0].endpoint == "GET /v1/models");
  auto b = single_request_mix("/health");
  REQUIRE(b.ok);
  CHECK(b.mix.pick(0.7) == 0);
  CHECK_FALSE(single_request_mix("models").ok);
}
