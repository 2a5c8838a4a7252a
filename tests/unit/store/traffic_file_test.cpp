#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "store/traffic_file.h"

using namespace parity;
using namespace parity::store;

namespace {
TrafficRequest parse_ok(std::string_view line) {
  std::string error;
  auto request = parse_traffic_line(line, error);
  INFO(error);
  REQUIRE(request);
  return *request;
}
std::string parse_error(std::string_view line) {
  std::string error;
  REQUIRE_FALSE(parse_traffic_line(line, error));
  return error;
}
}  // namespace

TEST_CASE("a request-mix line with a JSON body", "[traffic]") {
  auto r = parse_ok(R"({"name":"chat","method":"POST","path":"/v1/chat?x=1","weight":5,"body":{"a":1}})");
  CHECK(r.name == "chat");
  CHECK(r.request.method == "POST");
  CHECK(r.request.target == "/v1/chat?x=1");
  CHECK(r.weight == 5);
  CHECK(r.request.body == R"({"a":1})");
  CHECK(find_header(r.request.headers, "Content-Type") == "application/json");
}

TEST_CASE("a string body is sent as is and headers keep order and duplicates", "[traffic]") {
  auto r = parse_ok(R"({"method":"PUT","path":"/x","headers":[["Cookie","a=1"],["X-A","1"],["Cookie","b=2"]],"body":"raw text"})");
  REQUIRE(r.request.headers.size() == 3);
  CHECK(r.request.headers[0] == Header{"Cookie", "a=1"});
  CHECK(r.request.headers[2] == Header{"Cookie", "b=2"});
  CHECK(r.request.body == "raw text");
  CHECK_FALSE(find_header(r.request.headers, "content-type"));
}

TEST_CASE("capture lines round-trip, binary bodies through base64", "[traffic]") {
  TrafficRequest in;
  in.request = {"POST", "/upload?id=7", {{"Content-Type", "application/octet-stream"}, {"X-Dup", "1"}, {"X-Dup", "2"}},
                std::string("\x00\xff\xfe binary", 10)};
  in.ts = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795631840123));
  in.client = "10.0.0.7";
  in.route = "/upload";
  in.request_id = "abc";
  in.body_truncated = true;
  auto json = traffic_to_json(in);
  CHECK(json.contains("body_b64"));
  auto out = parse_ok(json.dump());
  CHECK(out.request.method == in.request.method);
  CHECK(out.request.target == in.request.target);
  CHECK(out.request.headers == in.request.headers);
  CHECK(out.request.body == in.request.body);
  CHECK(out.ts == in.ts);
  CHECK(out.client == "10.0.0.7");
  CHECK(out.route == "/upload");
  CHECK(out.request_id == "abc");
  CHECK(out.body_truncated);
}

TEST_CASE("malformed lines name the problem", "[traffic]") {
  CHECK_THAT(parse_error("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error("[1,2]"), Catch::Contains("JSON object"));
  CHECK_THAT(parse_error(R"({"path":"/x"})"), Catch::Contains("method"));
  CHECK_THAT(parse_error(R"({"method":"GET WHAT","path":"/x"})"), Catch::Contains("method"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"x"})"), Catch::Contains("path"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/a b"})"), Catch::Contains("path"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","weight":0})"), Catch::Contains("weight"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","headers":{"X":1}})"), Catch::Contains("header"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","headers":{"X":"a\r\nInjected: 1"}})"),
             Catch::Contains("not a valid HTTP header"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","body":"a","body_b64":"YQ=="})"), Catch::Contains("either"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","body_b64":"%%%"})"), Catch::Contains("base64"));
  CHECK_THAT(parse_error(R"({"method":"GET","path":"/x","ts":"yesterday"})"), Catch::Contains("ts"));
}

TEST_CASE("reading a file keeps the good lines and reports the bad ones", "[traffic]") {
  auto path = std::filesystem::temp_directory_path() / "parity-traffic-test.jsonl";
  {
    std::ofstream out(path);
    out << R"({"method":"GET","path":"/a"})" << "\n\n"
        << "garbage\n"
        << R"({"method":"GET","path":"/b"})" << "\r\n";
  }
  auto file = read_traffic_file(path);
  std::filesystem::remove(path);
  CHECK(file.ok);
  REQUIRE(file.requests.size() == 2);
  CHECK(file.requests[1].request.target == "/b");
  CHECK(file.malformed == 1);
  REQUIRE(file.errors.size() == 1);
  CHECK_THAT(file.errors[0], Catch::Contains(":3: not valid JSON"));
  CHECK_FALSE(read_traffic_file("/nonexistent/parity.jsonl").ok);
}

TEST_CASE("the shipped request mix parses without errors", "[traffic]") {
  auto file = read_traffic_file(std::string(PARITY_SOURCE_DIR) + "/fixtures/requests/openai-mix.jsonl");
  CHECK(file.ok);
  CHECK(file.errors.empty());
  CHECK(file.requests.size() >= 5);
}
