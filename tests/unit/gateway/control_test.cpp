#include <catch2/catch.hpp>

#include <fstream>

#include "gateway/control.h"
#include "gateway/start_only_settings.h"
#include "tests/unit/store/store_test_support.h"

using namespace parity;
using namespace parity::gateway;
using config::Side;

namespace {

config::Config base_config() {
  auto loaded = config::load_config_text(R"(
insecure_http: true
backends:
  legacy: {url: "http://127.0.0.1:8000"}
  candidate: {url: "http://127.0.0.1:9000"}
guard: {max_error_rate: 0.2, window_s: 30, min_requests: 2}
)", "", nullptr, {});
  REQUIRE(loaded.config);
  return *loaded.config;
}

std::vector<nlohmann::json> read_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

struct Fixture {
  store::testing::TempDir dir;
  store::testing::FakeClock clock;
  store::testing::CapturedLog log;
  MetricsRegistry metrics;
  Counter& audit_failures = metrics.counter("parity_audit_write_failures_total", {}, "");
  store::AuditLog audit{dir.path(), log.logger, &audit_failures};
  CutoverGuard guard{clock};
  SnapshotHolder holder{nullptr};
  config::LoadResult next_file;  // what the "file" holds on the next reload
  // The "file" on reload, with the store (hence the audit trail) kept in this test's directory.
  Control control{holder, {log.logger, &metrics, &clock,
                           [this] {
                             auto r = next_file;
                             if (r.config) r.config->store.path = dir.path().string();
                             return r;
                           },
                           &audit, &guard}};

  explicit Fixture(config::Config initial = base_config()) {
    initial.store.path = dir.path().string();
    std::string error;
    REQUIRE(control.init(std::make_shared<const config::Config>(initial), error));
    next_file.config = initial;
  }
  Side serve() const { return holder.get()->config->serve; }
  std::vector<nlohmann::json> audit_lines() const { return read_lines(dir.path() / "audit.jsonl"); }
};

}  // namespace

TEST_CASE("control: a serve switch swaps a new snapshot, bumps the version and is audited") {
  Fixture f;
  auto before = f.holder.get();
  auto r = f.control.set_serve(Side::candidate, {"ctl:alice", "127.0.0.1"}, "cut over");
  CHECK(r.status == ChangeResult::Status::applied);
  CHECK(r.version == 2);
  CHECK(f.serve() == Side::candidate);
  CHECK(f.holder.get()->version == 2);
  // A request that started on the old snapshot keeps it, unchanged.
  CHECK(before->config->serve == Side::legacy);
  auto lines = f.audit_lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["who"] == "ctl:alice");
  CHECK(lines[0]["peer"] == "127.0.0.1");
  CHECK(lines[0]["action"] == "serve");
  CHECK(lines[0]["from"] == "legacy");
  CHECK(lines[0]["to"] == "candidate");
  CHECK(lines[0]["reason"] == "cut over");
  CHECK(lines[0]["config_version"] == 2);
  CHECK(lines[0]["result"] == "applied");
  CHECK(f.control.status()["last_switch"]["who"] == "ctl:alice");
  CHECK(f.log.text().find("serve switched legacy -> candidate by ctl:alice") != std::string::npos);
  // The same side again changes nothing.
  CHECK(f.control.set_serve(Side::candidate, {"x", ""}, "").status == ChangeResult::Status::unchanged);
  CHECK(f.holder.get()->version == 2);
  CHECK(f.guard.armed());  // the candidate is served and a guard is configured
}

TEST_CASE("control: an invalid reload is rejected with its errors, the old config stays") {
  Fixture f;
  f.next_file = {std::nullopt, {{"colour", "unknown key"}}};
  auto r = f.control.reload({"sighup", ""}, "SIGHUP");
  CHECK(r.status == ChangeResult::Status::rejected);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].key == "colour");
  CHECK(f.holder.get()->version == 1);
  CHECK(f.metrics.counter_total("parity_reloads_total") == 1);
  CHECK(f.log.text().find("colour: unknown key") != std::string::npos);
  auto lines = f.audit_lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["result"] == "rejected");
  // listen cannot change without a restart
  auto moved = base_config();
  moved.listen = "127.0.0.1:1";
  f.next_file = {moved, {}};
  CHECK(f.control.reload({"sighup", ""}, "").status == ChangeResult::Status::rejected);
  CHECK(f.holder.get()->version == 1);
}

TEST_CASE("control: the guard's rollback latches until an operator switches or the file changes serve") {
  auto initial = base_config();
  initial.serve = Side::candidate;
  Fixture f(initial);
  CHECK(f.guard.armed());
  // Two errors trip the guard (min_requests 2): the handler is the control's rollback.
  f.guard.set_trip_handler([&f](const std::string& reason) { f.control.guard_rollback(reason); });
  f.guard.observe_request(true);
  f.guard.observe_request(true);
  CHECK(f.serve() == Side::legacy);
  CHECK(f.metrics.counter_total("parity_guard_trips_total") == 1);
  CHECK(f.control.status()["guard"]["latched"] == true);
  CHECK(f.audit_lines().back()["who"] == "guard");
  CHECK(f.audit_lines().back()["reason"].get<std::string>().find("error rate 1.00 > 0.20") == 0);
  // A reload whose file still says candidate keeps legacy.
  f.control.reload({"sighup", ""}, "SIGHUP");
  CHECK(f.serve() == Side::legacy);
  CHECK(f.log.text().find("the guard's rollback stays in force") != std::string::npos);
  // An explicit serve command clears the latch.
  f.control.set_serve(Side::candidate, {"ctl:bob", ""}, "fixed");
  CHECK(f.serve() == Side::candidate);
  CHECK(f.control.status()["guard"]["latched"] == false);
  f.control.reload({"sighup", ""}, "");
  CHECK(f.serve() == Side::candidate);
}

TEST_CASE("control: after a guard rollback, a reload whose file changed serve is obeyed") {
  auto initial = base_config();
  initial.serve = Side::candidate;
  Fixture f(initial);
  CHECK(f.control.guard_rollback("test").status == ChangeResult::Status::applied);
  auto legacy_file = initial;
  legacy_file.serve = Side::legacy;
  f.next_file = {legacy_file, {}};
  f.control.reload({"sighup", ""}, "");  // the operator wrote legacy: latch cleared
  f.next_file = {initial, {}};
  f.control.reload({"sighup", ""}, "");  // and then candidate again
  CHECK(f.serve() == Side::candidate);
  // On legacy the guard has nothing to roll back.
  f.control.set_serve(Side::legacy, {"x", ""}, "");
  CHECK(f.control.guard_rollback("late").status == ChangeResult::Status::unchanged);
}

TEST_CASE("control: mirror on/off, and an unwritable audit trail is counted but not fatal") {
  Fixture f;
  // A directory where the audit file should be: every audit write fails.
  std::filesystem::create_directories(f.dir.path() / "audit.jsonl");
  auto r = f.control.set_mirror(false, {"admin-api", "127.0.0.1"}, "noisy");
  CHECK(r.status == ChangeResult::Status::applied);
  CHECK_FALSE(f.holder.get()->config->mirror.enabled);
  CHECK(f.audit_failures.value() == 1);
  CHECK(f.log.text().find("audit trail not written") != std::string::npos);
  CHECK(f.control.set_mirror(false, {"admin-api", ""}, "").status == ChangeResult::Status::unchanged);
}

TEST_CASE("control: a reload applies, and settings read at start only are reported, not silently dropped") {
  Fixture f;
  auto next = base_config();
  next.serve = Side::candidate;
  next.capture.path = "/var/lib/parity/elsewhere.jsonl";
  next.threads = 7;
  f.next_file = {next, {}};
  auto r = f.control.reload({"sighup", ""}, "SIGHUP");
  CHECK(r.status == ChangeResult::Status::applied);
  CHECK(f.serve() == Side::candidate);
  CHECK(f.log.text().find("capture.path changed to /var/lib/parity/elsewhere.jsonl by reload: read at start only, "
                          "parity-capture.jsonl stays in force until a restart") != std::string::npos);
  CHECK(f.log.text().find("threads changed to 7") != std::string::npos);
  CHECK(f.metrics.counter_total("parity_config_restart_pending_total") == 2);
}

TEST_CASE("start-only settings: each changed key is named with the value kept and the value asked") {
  auto running = base_config();
  CHECK(start_only_changes(running, running).empty());
  auto next = running;
  next.store.url = "postgres://db/parity";
  next.store.queue = 10;
  next.admin.listen = "127.0.0.1:9999";
  auto changes = start_only_changes(running, next);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].key == "admin.listen");
  CHECK(changes[0].kept == "127.0.0.1:9901");
  CHECK(changes[1].key == "store.url");
  CHECK(changes[1].kept == "(none)");
  CHECK(changes[1].asked == "postgres://db/parity");
  CHECK(changes[2].key == "store.queue");
  CHECK(changes[2].asked == "10");
}
