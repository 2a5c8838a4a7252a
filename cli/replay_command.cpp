// parity replay: send recorded traffic (a gateway capture or any traffic file) to legacy and to the
// candidate, compare each pair with the configured rules and write records like the live gateway.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "config/url.h"
#include "core/metrics.h"
#include "replay/replay_plan.h"
#include "replay/replayer.h"
#include "store/jsonl_sink.h"

namespace parity::cli {
namespace {

namespace fs = std::filesystem;

struct ReplayOptions {
  std::string traffic;
  std::string legacy;
  std::string candidate;
  std::string config;
  std::string ca;
  std::string store = "parity-replay";
  std::size_t concurrency = 8;
  double speed = 0;
  bool keep_order = false;
  bool append = false;
  std::string max_mismatch = "0";
  std::vector<std::string> headers;
  int timeout_ms = 30000;
  std::uint64_t seed = 0;
};

// "Name: value" → header; false when it is not one.
bool parse_header_flag(const std::string& text, Header& out) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  out.first = text.substr(0, colon);
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  out.second = value;
  return out.first.find_first_of(" \t\r\n") == std::string::npos && value.find_first_of("\r\n") == std::string::npos;
}

bool backend_from_flag(const std::string& flag, const std::string& url, const ReplayOptions& options,
                       config::BackendConfig& backend) {
  std::string reason;
  auto parsed = config::parse_url(url, reason);
  if (!parsed) {
    std::cerr << "parity replay: " << flag << ": " << reason << "\n";
    return false;
  }
  backend.url = url;
  backend.parsed = *parsed;
  backend.ca = options.ca;
  backend.timeout_ms = options.timeout_ms;
  return true;
}

// A bar redrawn in place on a terminal; otherwise a plain line at every tenth of the way.
class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}
  void update(const replay::ReplayProgress& p) {
    if (p.total == 0) return;
    if (tty_) {
      const auto now = std::chrono::steady_clock::now();
      if (p.done != p.total && now - last_ < std::chrono::milliseconds(100)) return;
      last_ = now;
      constexpr std::size_t kWidth = 30;
      const std::size_t filled = static_cast<std::size_t>(kWidth * p.done / p.total);
      std::cerr << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << p.done << "/"
                << p.total << "  mismatch " << p.mismatch << "  error " << p.error << std::flush;
      if (p.done == p.total) std::cerr << "\n";
      return;
    }
    const std::uint64_t tenth = p.done * 10 / p.total;
    if (tenth == last_tenth_ && p.done != p.total) return;
    if (p.done == p.total && reported_end_) return;
    last_tenth_ = tenth;
    reported_end_ = p.done == p.total;
    std::cerr << "replay: " << p.done << "/" << p.total << " sent, " << p.mismatch << " mismatch, " << p.error
              << " error\n";
  }

 private:
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t last_tenth_ = 0;
  bool reported_end_ = false;
};

int run_replay_command(const ReplayOptions& options) {
  std::string error;
  auto threshold = replay::parse_threshold(options.max_mismatch, error);
  if (!threshold) {
    std::cerr << "parity replay: " << error << "\n";
    return 2;
  }
  if (options.concurrency == 0) {
    std::cerr << "parity replay: --concurrency must be >= 1\n";
    return 2;
  }
  if (options.speed < 0) {
    std::cerr << "parity replay: --speed must be >= 0 (0 = as fast as possible)\n";
    return 2;
  }
  replay::ReplayJob job;
  for (const auto& text : options.headers) {
    Header header;
    if (!parse_header_flag(text, header)) {
      std::cerr << "parity replay: --header must look like 'Name: value', not '" << text << "'\n";
      return 2;
    }
    job.extra_headers.push_back(std::move(header));
  }
  config::Config cfg;
  if (!options.config.empty()) {
    auto rules = config::load_compare_rules(options.config);
    if (!rules.rules) {
      std::cerr << "parity replay: invalid config " << options.config << ":\n" << config::format_errors(rules.errors);
      return 2;
    }
    cfg.compare = std::move(*rules.rules);
  }
  if (!backend_from_flag("--legacy", options.legacy, options, cfg.legacy) ||
      !backend_from_flag("--candidate", options.candidate, options, cfg.candidate)) {
    return 2;
  }
  auto file = store::read_traffic_file(options.traffic);
  for (const auto& e : file.errors) std::cerr << "parity replay: " << e << "\n";
  if (!file.ok) return 2;
  if (file.malformed > 0) {
    std::cerr << "parity replay: " << file.malformed << " malformed line(s) skipped; replaying the "
              << file.requests.size() << " valid one(s)\n";
  }
  if (file.requests.empty()) {
    std::cerr << "parity replay: no request to replay in " << options.traffic << "\n";
    return 2;
  }
  job.requests = std::move(file.requests);
  job.config = std::make_shared<const config::Config>(std::move(cfg));
  job.concurrency = options.concurrency;
  job.speed = options.speed;
  job.keep_order = options.keep_order;
  job.seed = options.seed ? options.seed : std::random_device{}();

  const fs::path records = fs::path(options.store) / store::kRecordsFileName;
  std::error_code ec;
  if (!options.append && fs::exists(records, ec)) {
    fs::remove(records, ec);
    if (ec) {
      std::cerr << "parity replay: cannot replace " << records.string() << ": " << ec.message() << "\n";
      return 2;
    }
  }
  auto log = std::make_shared<spdlog::logger>("parity", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log->set_pattern("%l %v");
  auto clock = std::make_shared<SystemClock>();
  MetricsRegistry metrics;
  store::JsonlSinkOptions sink_options;
  sink_options.directory = options.store;
  // The replay waits for the writer rather than dropping records: a queue as large as the file.
  sink_options.buffer.queue_capacity = std::max<std::size_t>(8192, job.requests.size() + 1);
  store::JsonlSink sink(sink_options, log, clock);
  shadow::ExchangeRecorder recorder({&sink, nullptr, &metrics, "replay"});

  Progress progress(::isatty(STDERR_FILENO) == 1);
  replay::ReplaySummary summary;
  if (!replay::run_replay(job, recorder, *clock, [&](const replay::ReplayProgress& p) { progress.update(p); },
                          summary, error)) {
    std::cerr << "parity replay: " << error << "\n";
    return 2;
  }
  sink.flush();
  const auto stats = sink.stats();

  const auto& v = summary.verdicts;
  std::cout << "replayed " << v.exchanges << " request(s) from " << options.traffic << ": " << v.match
            << " match, " << v.expected << " expected, " << v.mismatch << " mismatch, " << v.error
            << " error\n";
  if (summary.skipped_truncated > 0) {
    std::cout << summary.skipped_truncated
              << " request(s) not sent: their body was truncated by the capture (raise capture.max_body_bytes)\n";
  }
  std::vector<std::pair<std::string, std::uint64_t>> failures(summary.side_failures.begin(),
                                                              summary.side_failures.end());
  std::sort(failures.begin(), failures.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (std::size_t i = 0; i < failures.size() && i < 5; ++i) {
    std::cerr << "parity replay: " << failures[i].second << " x " << failures[i].first << "\n";
  }
  if (stats.failed > 0) {
    std::cerr << "parity replay: " << stats.failed << " record(s) could not be written to " << records.string()
              << "\n";
  }
  std::cout << "records: " << records.string() << " (parity report --store " << options.store << ")\n";
  const std::uint64_t failing = v.mismatch + v.error;
  if (threshold->exceeded(failing, v.exchanges)) {
    std::cout << "FAIL: " << failing << " mismatch/error exchange(s) exceed --max-mismatch " << options.max_mismatch
              << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void register_replay_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReplayOptions>();
  auto* command = app.add_subcommand(
      "replay", "Replay recorded traffic at legacy and candidate, diff each pair and write records");
  command->add_option("--traffic,-t", options->traffic, "Traffic file (a gateway capture or a request mix, JSONL)")
      ->required();
  command->add_option("--legacy", options->legacy, "Legacy base URL, e.g. http://127.0.0.1:8000")->required();
  command->add_option("--candidate", options->candidate, "Candidate base URL")->required();
  command->add_option("--config,-c", options->config, "Config file: only its compare: section is used");
  command->add_option("--store,-s", options->store, "Directory of records.jsonl (read it with parity report)")
      ->capture_default_str();
  command->add_flag("--append", options->append, "Append to the store's records.jsonl instead of replacing it");
  command->add_option("--concurrency,-j", options->concurrency, "Requests (or clients with --keep-order) at once")
      ->capture_default_str();
  command->add_option("--speed", options->speed,
                      "0 = as fast as possible; 1 = the recorded pacing (from ts); 2 = twice as fast")
      ->capture_default_str();
  command->add_flag("--keep-order", options->keep_order, "Keep the recorded order of each client's requests");
  command->add_option("--max-mismatch", options->max_mismatch,
                      "Exit 1 when mismatch+error exchanges exceed this count, or percentage with %")
      ->capture_default_str();
  command->add_option("--header,-H", options->headers,
                      "'Name: value' set on every request (captures hold no credentials); repeatable");
  command->add_option("--ca", options->ca, "CA file for https backends (default: the system store)");
  command->add_option("--timeout-ms", options->timeout_ms, "Per-request timeout")->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the noise-resampling draws; 0 = random");
  command->footer(
      "Exit codes: 0 ok, 1 mismatches over --max-mismatch, 2 usage, config or unreadable traffic file.\n"
      "Malformed lines are reported as FILE:LINE and skipped; an unreachable backend is recorded as\n"
      "error verdicts (counted against --max-mismatch). See docs/replay.md.");
  command->callback([options, &exit_code] { exit_code = run_replay_command(*options); });
}

}  // namespace parity::cli
