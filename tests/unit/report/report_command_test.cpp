#include "cli/report_command.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report_test_support.h"

namespace parity::cli {

using namespace report::testing;
namespace fs = std::filesystem;

namespace {

class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));  // 2026-11-18T11:06:40Z
  }
  std::chrono::steady_clock::time_point steady_now() const override { return {}; }
};

class TempStore {
 public:
  TempStore() {
    std::string pattern = (fs::temp_directory_path() / "parity-report-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
  }
  ~TempStore() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  void write(const std::string& text) const { std::ofstream(dir_ / "records.jsonl", std::ios::binary) << text; }

 private:
  fs::path dir_;
};

std::string records_text() {
  std::string text;
  for (int i = 0; i < 4; ++i) {
    auto r = make_record({.verdict = i == 3 ? Verdict::mismatch : Verdict::match, .legacy_ms = 10.0 + i});
    if (i == 3) r.differences.push_back(diff("/price", DiffKind::value, Explained::none, 1.5, 1.25));
    text += store::to_json(r).dump() + "\n";
  }
  return text + "{not a record\n";
}

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(const ReportOptions& options) {
  std::ostringstream out, err;
  const int code = run_report(options, FixedClock(), out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("report md goes to stdout by default and warns about malformed lines", "[report_command]") {
  TempStore store;
  store.write(records_text());
  const auto r = run({.store = store.dir().string()});
  CHECK(r.code == 0);
  CHECK(r.out.find("## Parity report") == 0);
  CHECK(r.out.find("**4 exchanges**") != std::string::npos);
  CHECK(r.out.find("`/price`") != std::string::npos);
  CHECK(r.err == "parity report: skipped 1 malformed line in " + (store.dir() / "records.jsonl").string() +
                     " (first at line 5)\n");
}

TEST_CASE("report json prints the JSON report", "[report_command]") {
  TempStore store;
  store.write(records_text());
  const auto r = run({.store = store.dir().string(), .format = "json"});
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["summary"]["exchanges"] == 4);
  CHECK(j["summary"]["mismatch"] == 1);
  CHECK(j["summary"]["malformed_lines"] == 1);
  CHECK(j["summary"]["generated_at"] == "2026-11-18T11:06:40Z");
  CHECK(j["routes"][0]["fields"][0]["pointer"] == "/price");
}

TEST_CASE("report html defaults to <store>/report.html and prints its path", "[report_command]") {
  TempStore store;
  store.write(records_text());
  const auto r = run({.store = store.dir().string(), .format = "html"});
  REQUIRE(r.code == 0);
  const auto path = store.dir() / "report.html";
  CHECK(r.out == path.string() + "\n");
  REQUIRE(fs::exists(path));
  std::ifstream in(path);
  std::stringstream html;
  html << in.rdbuf();
  CHECK(html.str().find("<!DOCTYPE html>") == 0);
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));

  // A records file can be given instead of the directory; --output picks the file.
  const auto out = store.dir() / "sub" / "r.html";
  const auto r2 = run({.store = (store.dir() / "records.jsonl").string(), .format = "html", .output = out.string()});
  CHECK(r2.code == 0);
  CHECK(r2.out == out.string() + "\n");
  CHECK(fs::exists(out));
}

TEST_CASE("report fails with exit 2 and a clear message without records", "[report_command]") {
  TempStore store;
  auto r = run({.store = store.dir().string()});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("no records file at " + (store.dir() / "records.jsonl").string()) != std::string::npos);

  r = run({.store = (store.dir() / "missing").string()});
  CHECK(r.code == 2);
  CHECK(r.err.find("does not exist") != std::string::npos);

  store.write(records_text());
  r = run({.store = store.dir().string(), .format = "pdf"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--format must be html, md or json") != std::string::npos);

  r = run({.store = store.dir().string(), .output = "/proc/parity/report.md"});
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot write /proc/parity/report.md") != std::string::npos);
}

TEST_CASE("an empty records file is a valid, empty report", "[report_command]") {
  TempStore store;
  store.write("");
  const auto r = run({.store = store.dir().string()});
  CHECK(r.code == 0);
  CHECK(r.out.find("_No exchanges recorded yet._") != std::string::npos);
}

TEST_CASE("fail_on_mismatch exits 1 when an exchange mismatched", "[report_command]") {
  TempStore store;
  store.write(records_text());
  CHECK(run({.store = store.dir().string(), .fail_on_mismatch = true}).code == 1);
  store.write(store::to_json(make_record({})).dump() + "\n");
  CHECK(run({.store = store.dir().string(), .fail_on_mismatch = true}).code == 0);
}

TEST_CASE("the subcommand parses its options and rejects bad ones", "[report_command]") {
  CLI::App app{"parity"};
  int exit_code = -1;
  register_report_command(app, exit_code);
  auto* report = app.get_subcommand("report");
  REQUIRE(report != nullptr);
  const std::string help = report->help();
  for (const char* option : {"--store", "--format", "--output", "--top", "--fail-on-mismatch", "Exit status"}) {
    INFO(option);
    CHECK(help.find(option) != std::string::npos);
  }
  CHECK_THROWS_AS(app.parse("report --format pdf"), CLI::ValidationError);

  TempStore store;
  store.write(records_text());
  const auto out = store.dir() / "out.json";
  app.parse("report --store " + store.dir().string() + " --format json --output " + out.string());
  CHECK(exit_code == 0);
  std::ifstream in(out);
  CHECK(nlohmann::json::parse(in)["summary"]["exchanges"] == 4);
}

TEST_CASE("report --since, --until and --instance select records", "[report_command]") {
  TempStore store;
  std::string text;
  for (int i = 0; i < 6; ++i) {
    auto r = make_record({.ts = "2026-11-25T18:00:0" + std::to_string(i) + ".000Z"});
    r.instance = i % 2 ? "gw-b" : "gw-a";
    text += store::to_json(r).dump() + "\n";
  }
  store.write(text);
  auto exchanges = [&](ReportOptions o) {
    o.store = store.dir().string();
    o.format = "json";
    const auto r = run(o);
    REQUIRE(r.code == 0);
    return nlohmann::json::parse(r.out)["summary"]["exchanges"].get<int>();
  };
  CHECK(exchanges({}) == 6);
  CHECK(exchanges({.since = "2026-11-25T18:00:02Z"}) == 4);
  CHECK(exchanges({.since = "2026-11-25T18:00:02Z", .until = "2026-11-25T18:00:04Z"}) == 2);
  CHECK(exchanges({.instances = {"gw-b"}}) == 3);
  CHECK(exchanges({.since = "2026-11-25", .instances = {"gw-a", "gw-b"}}) == 6);
}

TEST_CASE("report rejects a bad window and an unreachable database with exit 2", "[report_command]") {
  TempStore store;
  store.write(records_text());
  const auto bad = run({.store = store.dir().string(), .since = "last tuesday"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--since: 'last tuesday' is not a time") != std::string::npos);
  const auto down = run({.store = "postgres://parity:s3cret@127.0.0.1:1/parity"});
  CHECK(down.code == 2);
  CHECK(down.err.find("cannot connect to postgres://parity:****@127.0.0.1:1/parity") != std::string::npos);
  CHECK(down.err.find("s3cret") == std::string::npos);
}

}  // namespace parity::cli
