// append_record_line writes the bytes to_json(record).dump() writes, for any record: fixed cases for each
// branch (escapes, invalid UTF-8, optional members, numbers at the edges of nlohmann's formats), then a
// seeded sweep of random records.
#include "store/record_line.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "store_test_support.h"

namespace parity::store {
namespace {

std::string through_dom(const Record& r) {
  return to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string direct(const Record& r) {
  std::string out;
  append_record_line(out, r);
  return out;
}

std::string random_string(std::mt19937_64& rng) {
  // Mostly printable ASCII (the fast path), sometimes any byte: quotes, controls, UTF-8, invalid UTF-8.
  static const std::string kAlphabet = "abcXYZ019/{}_-.:?=&%+ ";
  std::uniform_int_distribution<int> length(0, 24), pick(0, 99), byte(0, 255);
  std::uniform_int_distribution<std::size_t> letter(0, kAlphabet.size() - 1);
  std::string s(static_cast<std::size_t>(length(rng)), ' ');
  for (char& c : s) c = pick(rng) < 90 ? kAlphabet[letter(rng)] : static_cast<char>(byte(rng));
  return s;
}

double random_latency(std::mt19937_64& rng) {
  static const double kEdges[] = {0.0, -0.0, 1.0, 0.1, 1e-5, 1e-4, 123456789012345.0, 1e15, 1e16, 1e300,
                                  std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                                  std::numeric_limits<double>::quiet_NaN(),
                                  std::numeric_limits<double>::infinity()};
  std::uniform_int_distribution<int> pick(0, 3);
  std::uniform_int_distribution<std::size_t> edge(0, std::size(kEdges) - 1);
  std::uniform_real_distribution<double> ms(0.0, 5000.0);
  std::uniform_int_distribution<std::uint64_t> bits;
  switch (pick(rng)) {
    case 0: return kEdges[edge(rng)];
    case 1: return std::round(ms(rng) * 1000) / 1000;  // what the gateway records: microsecond steps
    case 2: return ms(rng);
    default: {
      const std::uint64_t b = bits(rng);
      double d;
      std::memcpy(&d, &b, sizeof d);
      return d;
    }
  }
}

SideSummary random_side(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> status(0, 599), has_error(0, 3);
  std::uniform_int_distribution<std::uint64_t> bytes;
  return {status(rng), random_latency(rng), bytes(rng) >> (bytes(rng) % 64),
          has_error(rng) == 0 ? random_string(rng) : std::string()};
}

}  // namespace

TEST_CASE("a plain record's line is the DOM's, byte for byte", "[record_line]") {
  const Record match = testing::make_record(2);
  CHECK(direct(match) == through_dom(match));
  CHECK(direct(match).find("\"differences\":[]") != std::string::npos);

  const Record mismatch = testing::make_record(3);  // one difference
  CHECK(direct(mismatch) == through_dom(mismatch));
}

TEST_CASE("optional members, escapes and invalid UTF-8 are written as nlohmann writes them", "[record_line]") {
  Record r = testing::make_record(1);
  r.instance = "gw-1";
  r.sample = nlohmann::json{{"legacy", "{\"id\":1}"}, {"candidate", "caf\xc3\xa9"}};
  r.target = "/v1/search?q=\"quoted\"&back=\\slash\ttab\x01";
  r.request_id = "r\xc3\xa9sum\xc3\xa9-\xe2\x82\xac";  // valid UTF-8: kept as is
  r.route = "bad\xff\xfe utf-8";                           // invalid: U+FFFD
  r.legacy.error = "shadow_timeout: no answer in 5000 ms";
  r.candidate.error = "line\nbreak";
  r.candidate.latency_ms = std::numeric_limits<double>::quiet_NaN();  // "null", as nlohmann writes it
  r.legacy.latency_ms = 1e-7;
  r.differences.push_back({"/a/\"b\"", compare::DiffKind::type, 1.5, "1.5", compare::Explained::noise});

  const std::string line = direct(r);
  CHECK(line == through_dom(r));
  CHECK(line.find("\xef\xbf\xbd") != std::string::npos);  // the replacement character is there
  CHECK(nlohmann::json::parse(line)["instance"] == "gw-1");
}

TEST_CASE("random records: the direct line equals the DOM's dump", "[record_line]") {
  std::mt19937_64 rng(20261126);
  std::uniform_int_distribution<int> verdict(0, 3), coin(0, 1), diffs(0, 3);
  for (int i = 0; i < 2000; ++i) {
    Record r;
    r.ts = random_string(rng);
    r.request_id = random_string(rng);
    r.method = random_string(rng);
    r.route = random_string(rng);
    r.target = random_string(rng);
    r.served_by = random_string(rng);
    r.instance = coin(rng) ? random_string(rng) : std::string();
    r.verdict = static_cast<compare::Verdict>(verdict(rng));
    r.legacy = random_side(rng);
    r.candidate = random_side(rng);
    for (int d = diffs(rng); d > 0; --d) {
      r.differences.push_back({random_string(rng), compare::DiffKind::value, random_string(rng),
                               random_latency(rng), compare::Explained::none});
    }
    if (coin(rng)) r.sample = nlohmann::json{{"legacy", random_string(rng)}};
    INFO("record " << i);
    REQUIRE(direct(r) == through_dom(r));
  }
}

TEST_CASE("lines are appended after what the buffer holds", "[record_line]") {
  std::string buffer = "previous\n";
  append_record_line(buffer, testing::make_record(4));
  CHECK(buffer.rfind("previous\n{\"candidate\":", 0) == 0);
  CHECK(buffer.back() == '}');
}

}  // namespace parity::store
