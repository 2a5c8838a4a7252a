#include "cli/bench_command.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "config/url.h"
#include "loadgen/parse.h"
#include "loadgen/render.h"
#include "loadgen/runner.h"
#include "loadgen/thresholds.h"

namespace parity::cli {
namespace {

bool write_text(const std::string& path, const std::string& text, std::ostream& err) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    err << "parity bench: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

int run_bench(const BenchOptions& o, std::ostream& out, std::ostream& err, bool stderr_is_tty) {
  auto usage = [&](const std::string& message) {
    err << "parity bench: " << message << "\n";
    return 2;
  };
  std::string error;
  loadgen::BenchPlan plan;

  auto duration = loadgen::parse_duration(o.duration, error);
  if (!duration || duration->count() <= 0) return usage("--duration " + (error.empty() ? o.duration + " must be > 0" : error));
  auto warmup = loadgen::parse_duration(o.warmup, error);
  if (!warmup) return usage("--warmup " + error);
  auto timeout = loadgen::parse_duration(o.timeout, error);
  if (!timeout || timeout->count() <= 0) return usage("--timeout " + (error.empty() ? o.timeout + " must be > 0" : error));
  auto levels = loadgen::parse_concurrency(o.concurrency, error);
  if (!levels) return usage(error);
  if (o.rate < 0) return usage("--rate must be > 0 (requests per second)");
  if (o.rounds < 1) return usage("--rounds must be at least 1");
  if (o.format != "table" && o.format != "json" && o.format != "md") return usage("--format must be table, json or md");
  plan.duration = *duration;
  plan.warmup = *warmup;
  plan.concurrency = *levels;
  plan.rate = o.rate;
  plan.rounds = o.rounds;
  plan.threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  plan.seed = o.seed;

  std::vector<loadgen::Threshold> thresholds;
  for (const auto& text : o.fail_if) {
    auto t = loadgen::parse_threshold(text, error);
    if (!t) return usage(error);
    thresholds.push_back(*t);
  }

  const std::pair<const char*, const std::string*> given[] = {
      {"legacy", &o.legacy}, {"candidate", &o.candidate}, {"gateway", &o.gateway}};
  for (const auto& [name, url] : given) {
    if (url->empty()) continue;
    loadgen::TargetSpec t;
    t.name = name;
    t.backend.url = *url;
    auto parsed = config::parse_url(*url, error);
    if (!parsed) return usage(std::string("--") + name + " " + *url + ": " + error);
    t.backend.parsed = *parsed;
    t.backend.ca = o.ca;
    t.backend.verify = !o.insecure;
    t.backend.timeout_ms = static_cast<int>(timeout->count());
    t.backend.connect_timeout_ms = static_cast<int>(std::min<std::int64_t>(timeout->count(), 5000));
    plan.targets.push_back(std::move(t));
  }
  if (plan.targets.empty()) return usage("give at least one target: --legacy URL, --candidate URL, --gateway URL");
  for (const auto& text : o.pids) {
    auto pid = loadgen::parse_pid(text, error);
    if (!pid) return usage(error);
    bool found = false;
    for (auto& t : plan.targets) {
      if (t.name == pid->first) {
        t.pid = pid->second;
        found = true;
      }
    }
    if (!found) return usage("--pid " + text + ": no --" + pid->first + " target was given");
    if (::kill(pid->second, 0) != 0 && errno == ESRCH) return usage("--pid " + text + ": no such process");
  }

  if (o.requests.empty() == o.url.empty()) return usage("give the request mix: --requests FILE or --url PATH (one of them)");
  auto loaded = o.requests.empty() ? loadgen::single_request_mix(o.url) : loadgen::load_mix(o.requests);
  if (!loaded.ok) return usage(loaded.error);
  plan.requests_source = o.requests.empty() ? o.url : o.requests;
  for (std::size_t i = 0; i < loaded.warnings.size(); ++i) {
    if (i < 5) err << "parity bench: warning: skipped malformed request: " << loaded.warnings[i] << "\n";
  }
  if (loaded.warnings.size() > 5) err << "parity bench: warning: … " << loaded.warnings.size() - 5 << " more malformed lines\n";

  const bool bar = o.progress == "bar" || (o.progress == "auto" && stderr_is_tty);
  std::ostringstream discard;
  loadgen::Progress progress(o.progress == "none" ? static_cast<std::ostream&>(discard) : err, bar);
  auto results = loadgen::run_bench(plan, loaded.mix, progress);
  if (!loaded.warnings.empty()) {
    results.warnings.insert(results.warnings.begin(), std::to_string(loaded.warnings.size()) +
                                                          " malformed lines of " + o.requests + " were skipped");
  }

  const auto failures = loadgen::check_thresholds(thresholds, results);
  if (o.format == "json") {
    out << loadgen::render_json(results).dump(2) << "\n";
  } else if (o.format == "md") {
    out << loadgen::render_markdown(results);
  } else {
    out << loadgen::render_table(results);
  }
  out << std::flush;
  bool written = true;
  if (!o.json_out.empty()) written = write_text(o.json_out, loadgen::render_json(results).dump(2) + "\n", err) && written;
  if (!o.md_out.empty()) written = write_text(o.md_out, loadgen::render_markdown(results), err) && written;
  if (!o.html_out.empty()) written = write_text(o.html_out, loadgen::render_html(results), err) && written;
  if (!written) return 2;

  bool unreachable = false;
  for (const auto& level : results.levels) {
    for (const auto& t : level.targets) unreachable = unreachable || !t.measured;
  }
  for (const auto& f : failures) err << "parity bench: --fail-if " << f << "\n";
  if (unreachable) err << "parity bench: a target could not be measured (see the warnings); exit status 1\n";
  return failures.empty() && !unreachable ? 0 : 1;
}

void register_bench_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Side-by-side load test of legacy, candidate and, optionally, the gateway");
  cmd->add_option("--legacy", options->legacy, "URL of the legacy service (http or https)");
  cmd->add_option("--candidate", options->candidate, "URL of the candidate service");
  cmd->add_option("--gateway", options->gateway, "URL of the Parity gateway, to show its own overhead");
  cmd->add_option("--requests,-r", options->requests, "Request mix: a traffic file (JSONL), hand-written or captured");
  cmd->add_option("--url,url", options->url, "Or a single path (/v1/models) or URL whose path is requested");
  cmd->add_option("--concurrency,-c", options->concurrency, "Connections, or a sweep: 10,50,100,200")
      ->capture_default_str();
  cmd->add_option("--rate", options->rate,
                  "Open-loop: intended requests/s per target; latency counts from the intended send time");
  cmd->add_option("--duration,-d", options->duration, "Measured time per target and level (500ms, 10s, 1m)")
      ->capture_default_str();
  cmd->add_option("--warmup", options->warmup, "Warm-up per target and level, excluded from the figures")
      ->capture_default_str();
  cmd->add_option("--rounds", options->rounds, "Interleaved rounds the duration is split into")->capture_default_str();
  cmd->add_option("--threads", options->threads, "Load-generator event loops (default: one per core)");
  cmd->add_option("--timeout", options->timeout, "Per-request timeout")->capture_default_str();
  cmd->add_option("--ca", options->ca, "CA file to verify https targets");
  cmd->add_flag("--insecure,-k", options->insecure, "Do not verify the certificates of https targets");
  cmd->add_option("--pid", options->pids, "Sample CPU and peak RSS of a target's process: legacy=PID (repeatable)");
  cmd->add_option("--format", options->format, "Standard output: table, json or md")->capture_default_str();
  cmd->add_option("--json", options->json_out, "Write the results as JSON to FILE");
  cmd->add_option("--md", options->md_out, "Write Markdown tables to FILE (for a pull request)");
  cmd->add_option("--html", options->html_out, "Write an HTML page with latency charts to FILE");
  cmd->add_option("--fail-if", options->fail_if,
                  "Exit 1 when crossed at any level: p99_ratio>1.2, throughput_ratio<0.9, candidate.error_rate>0.01 "
                  "(repeatable)");
  cmd->add_option("--progress", options->progress, "auto (a bar on a terminal), bar, lines or none")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the request-mix sampler")->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = run_bench(*options, std::cout, std::cerr, isatty(2) != 0); });
}

}  // namespace parity::cli
