#include "store/capture_file.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "store_test_support.h"

namespace parity::store {
namespace {

using testing::TempDir;

TrafficRequest request(int i, std::size_t body_bytes = 100) {
  TrafficRequest r;
  r.request.method = "POST";
  r.request.target = "/v1/chat/completions?i=" + std::to_string(i);
  r.request.headers = {{"content-type", "application/json"}};
  r.request.body = std::string(body_bytes, 'x');
  r.request_id = "req-" + std::to_string(i);
  r.client = "10.0.0.7";
  r.route = "/v1/chat/completions";
  r.ts = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'095'840'123));
  return r;
}

std::size_t lines_in(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_CASE("capture lines round-trip through read_traffic_file") {
  TempDir dir;
  const auto path = dir.path() / "sub" / "parity-capture.jsonl";
  {
    CaptureFile file({path, 1 << 20, 2, {}}, nullptr, std::make_shared<testing::FakeClock>());
    for (int i = 0; i < 3; ++i) REQUIRE(file.push(request(i)));
    file.flush();
    CHECK(file.stats().written == 3);
  }
  auto read = read_traffic_file(path);
  REQUIRE(read.ok);
  CHECK(read.malformed == 0);
  REQUIRE(read.requests.size() == 3);
  CHECK(read.requests[1].request.target == "/v1/chat/completions?i=1");
  CHECK(read.requests[1].request_id == "req-1");
  CHECK(read.requests[1].client == "10.0.0.7");
  CHECK(read.requests[1].route == "/v1/chat/completions");
  CHECK(read.requests[1].request.body == std::string(100, 'x'));
  REQUIRE(read.requests[1].ts.has_value());
  CHECK(*read.requests[1].ts == *request(1).ts);
}

TEST_CASE("the capture file rotates by size and keeps keep_files old files") {
  TempDir dir;
  const auto path = dir.path() / "cap.jsonl";
  CaptureFile file({path, 1024, 2, {}}, nullptr, std::make_shared<testing::FakeClock>());
  // ~400 bytes per line: two lines per file, so 9 lines make 5 files of which 3 survive.
  for (int i = 0; i < 9; ++i) {
    REQUIRE(file.push(request(i, 200)));
    file.flush();
  }
  CHECK(file.rotations() == 4);
  CHECK(std::filesystem::exists(path));
  CHECK(std::filesystem::exists(path.string() + ".1"));
  CHECK(std::filesystem::exists(path.string() + ".2"));
  CHECK_FALSE(std::filesystem::exists(path.string() + ".3"));
  CHECK(std::filesystem::file_size(path) <= 1024);
  CHECK(std::filesystem::file_size(path.string() + ".1") <= 1024);
  CHECK(lines_in(path) + lines_in(path.string() + ".1") + lines_in(path.string() + ".2") == 5);
  // The newest line is in the current file, the rotated ones hold older ones.
  auto current = read_traffic_file(path);
  REQUIRE(!current.requests.empty());
  CHECK(current.requests.back().request_id == "req-8");
  auto older = read_traffic_file(path.string() + ".2");
  REQUIRE(!older.requests.empty());
  CHECK(older.requests.front().request_id == "req-4");
}

TEST_CASE("an unwritable capture path counts failures and warns, then recovers") {
  TempDir dir;
  testing::CapturedLog log;
  auto blocker = dir.path() / "not-a-dir";
  { std::ofstream(blocker) << "x"; }
  const auto path = blocker / "cap.jsonl";  // a file where a directory should be
  CaptureFile file({path, 1 << 20, 2, {}}, log.logger, std::make_shared<testing::FakeClock>());
  REQUIRE(file.push(request(1)));
  file.flush();
  CHECK(file.stats().failed == 1);
  CHECK(log.text().find("capture: cannot open") != std::string::npos);
  std::filesystem::remove(blocker);
  REQUIRE(file.push(request(2)));
  file.flush();
  CHECK(file.stats().written == 1);
  CHECK(read_traffic_file(path).requests.size() == 1);
}

}  // namespace parity::store
