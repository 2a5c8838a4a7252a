#include <catch2/catch.hpp>

#include "shadow/exchange_recorder.h"

using namespace parity;
using namespace parity::shadow;

namespace {

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}, {"Set-Cookie", "session=secret"}};
  r.body = std::move(body);
  return r;
}

SideOutcome ok(HttpResponse response) {
  SideOutcome side;
  side.latency_ms = 12.5;
  side.bytes = response.body.size();
  side.response = std::move(response);
  return side;
}

CompletedExchange exchange(SideOutcome served, SideOutcome shadow, config::Side served_by = config::Side::legacy) {
  auto cfg = std::make_shared<config::Config>();
  cfg->compare.headers = {"content-type", "set-cookie"};
  CompletedExchange ex;
  ex.config = cfg;
  ex.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764095840123));
  ex.request_id = "rid-1";
  ex.method = "GET";
  ex.route = "/v1/models";
  ex.target = "/v1/models?x=1";
  ex.served = served_by;
  ex.served_side = std::move(served);
  ex.shadow_side = std::move(shadow);
  return ex;
}

}  // namespace

TEST_CASE("a matching exchange becomes a match record with both sides") {
  MetricsRegistry metrics;
  ExchangeRecorder recorder({nullptr, nullptr, &metrics, "gw-1"});
  auto record = recorder.record(exchange(ok(json_response(200, R"({"a":1})")), ok(json_response(200, R"({"a":1.0})"))));
  CHECK(record.verdict == compare::Verdict::match);
  CHECK(record.differences.empty());
  CHECK(record.ts == "2025-11-25T18:37:20.123Z");
  CHECK(record.served_by == "legacy");
  CHECK(record.instance == "gw-1");
  CHECK(record.legacy.status == 200);
  CHECK(record.candidate.latency_ms == 12.5);
  CHECK_FALSE(record.sample);
}

TEST_CASE("sides keep their orientation when the candidate serves") {
  MetricsRegistry metrics;
  ExchangeRecorder recorder({nullptr, nullptr, &metrics, ""});
  auto ex = exchange(ok(json_response(201, R"({"a":2})")), ok(json_response(200, R"({"a":1})")), config::Side::candidate);
  auto record = recorder.record(ex);
  CHECK(record.served_by == "candidate");
  CHECK(record.candidate.status == 201);
  CHECK(record.legacy.status == 200);
  CHECK(record.verdict == compare::Verdict::mismatch);
  REQUIRE(record.sample);
  CHECK((*record.sample)["candidate"]["status"] == 201);
}

TEST_CASE("a failed shadow is recorded as shadow_error") {
  MetricsRegistry metrics;
  ExchangeRecorder recorder({nullptr, nullptr, &metrics, ""});
  SideOutcome failed;
  failed.error = "timeout: waiting for the response";
  auto record = recorder.record(exchange(ok(json_response(200, "{}")), failed));
  CHECK(record.verdict == compare::Verdict::error);
  REQUIRE(record.differences.size() == 1);
  CHECK(record.differences[0].kind == compare::DiffKind::shadow_error);
  CHECK(record.candidate.error == "timeout: waiting for the response");
  CHECK(record.candidate.status == 0);
}

TEST_CASE("secret header values never reach a record") {
  MetricsRegistry metrics;
  ExchangeRecorder recorder({nullptr, nullptr, &metrics, ""});
  auto legacy = json_response(200, "{}");
  auto candidate = json_response(200, "{}");
  candidate.headers[1].second = "session=other-secret";
  auto record = recorder.record(exchange(ok(legacy), ok(candidate)));
  auto text = store::to_json(record).dump();
  CHECK(text.find("secret") == std::string::npos);
  REQUIRE(record.differences.size() == 1);
  CHECK(record.differences[0].pointer == "header:set-cookie");
  CHECK(record.differences[0].legacy == "[redacted]");
}
