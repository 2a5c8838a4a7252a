#include <catch2/catch.hpp>

#include "compare/compare.h"
#include "compare/sse.h"
#include "support.h"

using namespace parity;
using namespace parity::compare;
using nlohmann::json;

namespace {

std::vector<std::pair<std::string, std::string>> names_and_data(const std::vector<SseEvent>& events) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : events) out.emplace_back(e.name, e.data);
  return out;
}

std::vector<std::string> pointers(const std::vector<Difference>& diffs) {
  std::vector<std::string> out;
  for (const auto& d : diffs) out.push_back(d.pointer + " " + std::string(to_string(d.kind)));
  return out;
}

EventStream stream(std::string_view body, bool truncated = false) {
  return {parse_event_stream(body, truncated), truncated};
}

std::vector<Difference> diff_streams(const EventStream& a, const EventStream& b, std::vector<std::string> ignore = {}) {
  JsonDiffOptions options;
  options.ignore = parse_globs(ignore);
  std::vector<Difference> out;
  diff_event_streams(a, b, options, [&](Difference&& d) { out.push_back(std::move(d)); });
  return out;
}

}  // namespace

TEST_CASE("event streams are parsed as the HTML spec says", "[sse]") {
  using Events = std::vector<std::pair<std::string, std::string>>;
  struct Case {
    const char* name;
    std::string body;
    bool truncated;
    Events events;
  };
  const Case cases[] = {
      {"one data line per event", "data: a\n\ndata: b\n\n", false, {{"message", "a"}, {"message", "b"}}},
      {"multi-line data is joined with newlines", "data: line1\ndata: line2\n\n", false, {{"message", "line1\nline2"}}},
      {"event names; comments, id and retry skipped", ": ping\nevent: delta\nid: 7\nretry: 100\ndata: x\n\n", false,
       {{"delta", "x"}}},
      {"only one space after the colon is dropped", "data:  two\ndata:none\n\n", false, {{"message", " two\nnone"}}},
      {"CRLF and CR line endings", "data: a\r\n\r\ndata: b\r\rdata: c\r\n\r\n", false,
       {{"message", "a"}, {"message", "b"}, {"message", "c"}}},
      {"an event without data is not dispatched", "event: ping\n\ndata: x\n\n", false, {{"message", "x"}}},
      {"'data' without a colon is an empty data line", "data\n\n", false, {{"message", ""}}},
      {"a final event without a blank line is kept when complete", "data: a\n\ndata: b", false,
       {{"message", "a"}, {"message", "b"}}},
      {"... and dropped when truncated", "data: a\n\ndata: b\n", true, {{"message", "a"}}},
      {"a cut line is dropped when truncated", "data: a\n\ndata: {\"x\":", true, {{"message", "a"}}},
      {"the event name resets after each event", "event: a\ndata: 1\n\ndata: 2\n\n", false,
       {{"a", "1"}, {"message", "2"}}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(names_and_data(parse_event_stream(c.body, c.truncated)) == c.events); }
  }
}

TEST_CASE("event streams are compared event by event", "[sse]") {
  const std::string chunk_a = R"(data: {"id":"1","choices":[{"delta":{"content":"Hel"}}]})"
                              "\n\n";
  const std::string chunk_b = R"(data: {"id":"1","choices":[{"delta":{"content":"lo"}}]})"
                              "\n\n";
  const std::string chunk_c = R"(data: {"id":"1","choices":[{"delta":{"content":"!"}}]})"
                              "\n\n";
  const std::string done = "data: [DONE]\n\n";

  SECTION("the same stream") {
    CHECK(diff_streams(stream(chunk_a + chunk_b + done), stream(chunk_a + chunk_b + done)).empty());
  }
  SECTION("a different token points into the event's data") {
    auto diffs = diff_streams(stream(chunk_a + chunk_b), stream(chunk_a + chunk_c));
    CHECK(pointers(diffs) == std::vector<std::string>{"/events/1/choices/0/delta/content value"});
    CHECK(diffs[0].legacy == "lo");
    CHECK(diffs[0].candidate == "!");
  }
  SECTION("a different number of events is array_length at /events") {
    auto diffs = diff_streams(stream(chunk_a + chunk_b + done), stream(chunk_a + done));
    CHECK(pointers(diffs) == std::vector<std::string>{"/events array_length", "/events/1 type"});
  }
  SECTION("non-JSON data compares as a string") {
    auto diffs = diff_streams(stream("data: [DONE]\n\n"), stream("data: [END]\n\n"));
    REQUIRE(diffs.size() == 1);
    CHECK(diffs[0].pointer == "/events/0");
    CHECK(diffs[0].legacy == "[DONE]");
  }
  SECTION("different event names") {
    auto diffs = diff_streams(stream("event: start\ndata: 1\n\n"), stream("event: begin\ndata: 1\n\n"));
    CHECK(pointers(diffs) == std::vector<std::string>{"/event_names/0 value"});
    CHECK(diff_streams(stream("event: start\ndata: 1\n\n"), stream("event: begin\ndata: 1\n\n"), {"/event_names"})
              .empty());
  }
  SECTION("ignore globs apply to event pointers") {
    const std::string other_id = R"(data: {"id":"2","choices":[{"delta":{"content":"Hel"}}]})"
                                 "\n\n";
    CHECK(diff_streams(stream(chunk_a), stream(other_id)).size() == 1);
    CHECK(diff_streams(stream(chunk_a), stream(other_id), {"/events/*/id"}).empty());
    CHECK(diff_streams(stream(chunk_a), stream(other_id), {"/**/id"}).empty());
  }
  SECTION("truncation: only events both sides hold are compared") {
    // Legacy was cut after two events; the candidate has three: not a length difference.
    CHECK(diff_streams(stream(chunk_a + chunk_b + "data: {\"id\"", true), stream(chunk_a + chunk_b + chunk_c)).empty());
    CHECK(diff_streams(stream(chunk_a + chunk_b + chunk_c), stream(chunk_a + "da", true)).empty());
    // The complete side has fewer events than the truncated side showed: certainly different.
    auto diffs = diff_streams(stream(chunk_a + chunk_b + chunk_c + "data: x", true), stream(chunk_a));
    CHECK(pointers(diffs) == std::vector<std::string>{"/events array_length"});
    // Both truncated: the common prefix only.
    CHECK(diff_streams(stream(chunk_a + chunk_b, true), stream(chunk_a, true)).empty());
    CHECK(diff_streams(stream(chunk_a + chunk_b, true), stream(chunk_a + chunk_c, true)).size() == 1);
  }
}

TEST_CASE("compare_responses diffs two text/event-stream bodies as events", "[sse]") {
  const Headers sse = {{"content-type", "text/event-stream"}};
  const std::string legacy = "data: {\"id\":\"chatcmpl-1\",\"created\":1,\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                             "data: [DONE]\n\n";
  const std::string candidate = "data: {\"id\":\"chatcmpl-2\",\"created\":2,\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                                "data: [DONE]\n\n";
  Rules rules;
  auto c = compare_responses(test::response(200, legacy, sse), test::response(200, candidate, sse), rules);
  CHECK(pointers(c.differences) == std::vector<std::string>{"/events/0/created value", "/events/0/id value"});
  CHECK(c.verdict == Verdict::mismatch);

  rules.ignore = {"/events/*/created"};
  rules.noise.fields = {"/**/id"};
  c = compare_responses(test::response(200, legacy, sse), test::response(200, candidate, sse), rules);
  REQUIRE(c.differences.size() == 1);
  CHECK(c.differences[0].explained == Explained::noise);
  CHECK(c.verdict == Verdict::match);

  // Only one side is an event stream: bodies are compared as bytes, and the content-type differs.
  c = compare_responses(test::response(200, legacy, sse), test::response(200, candidate), Rules{});
  CHECK(pointers(c.differences) == std::vector<std::string>{"header:content-type header", " body"});

  // A gzip-encoded stream is decoded first.
  auto gz = test::response(200, test::gzip(candidate), {{"content-type", "text/event-stream"}, {"content-encoding", "gzip"}});
  c = compare_responses(test::response(200, legacy, sse), gz, rules);
  CHECK(c.verdict == Verdict::match);
}
