// parity gateway: run the HTTPS gateway until SIGTERM/SIGINT.
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <random>

#include "cli/commands.h"
#include "cli/config_options.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/server.h"
#include "report/live_aggregates.h"
#include "shadow/capture_service.h"
#include "shadow/mirror_service.h"
#include "store/fanout_sink.h"
#include "store/jsonl_sink.h"
#include "store/postgres_sink.h"

namespace parity::cli {
namespace {

struct GatewayOptions {
  ConfigOptions config;
  std::uint64_t seed = 0;
};

std::shared_ptr<spdlog::logger> make_log() {
  auto log = std::make_shared<spdlog::logger>("parity", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  log->flush_on(spdlog::level::info);
  return log;
}

// JSON lines on stdout through a background thread, so a slow terminal or pipe never blocks a loop.
// When the queue is full the oldest line is dropped (counted in parity_access_log_dropped_total).
std::shared_ptr<spdlog::async_logger> make_access_log(std::shared_ptr<spdlog::details::thread_pool> pool) {
  auto log = std::make_shared<spdlog::async_logger>("access", std::make_shared<spdlog::sinks::stdout_sink_mt>(),
                                                    pool, spdlog::async_overflow_policy::overrun_oldest);
  log->set_pattern("%v");
  return log;
}

std::string instance_id(const config::Config& config) {
  if (!config.instance.empty()) return config.instance;
  char host[256] = {};
  return gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string("parity");
}

void export_store_stats(MetricsRegistry& metrics, const store::RecordSink& sink) {
  metrics.add_collector([&sink](std::string& out) {
    auto stats = sink.stats();
    out += "# HELP parity_store_records_total Records by outcome: written, dropped (queue full), failed (write error)\n"
           "# TYPE parity_store_records_total counter\n";
    out += "parity_store_records_total{result=\"written\"} " + std::to_string(stats.written) + "\n";
    out += "parity_store_records_total{result=\"dropped\"} " + std::to_string(stats.dropped) + "\n";
    out += "parity_store_records_total{result=\"failed\"} " + std::to_string(stats.failed) + "\n";
  });
}

// The PostgreSQL sink's own series: records by outcome, the queue, and whether it is connected.
void export_postgres_stats(MetricsRegistry& metrics, const store::PostgresSink& sink) {
  metrics.add_collector([&sink](std::string& out) {
    auto stats = sink.stats();
    out += "# HELP parity_postgres_records_total Records for the PostgreSQL store by outcome: written, dropped "
           "(queue full), failed (database down or batch refused)\n"
           "# TYPE parity_postgres_records_total counter\n";
    out += "parity_postgres_records_total{result=\"written\"} " + std::to_string(stats.written) + "\n";
    out += "parity_postgres_records_total{result=\"dropped\"} " + std::to_string(stats.dropped) + "\n";
    out += "parity_postgres_records_total{result=\"failed\"} " + std::to_string(stats.failed) + "\n";
    out += "# HELP parity_postgres_queued Records waiting for the PostgreSQL writer\n"
           "# TYPE parity_postgres_queued gauge\n"
           "parity_postgres_queued " + std::to_string(stats.queued) + "\n";
    out += "# HELP parity_postgres_connected 1 while the PostgreSQL store is reachable\n"
           "# TYPE parity_postgres_connected gauge\n"
           "parity_postgres_connected " + std::string(sink.connected() ? "1" : "0") + "\n";
  });
}

// Which instance this is, as a constant series (Prometheus's own `instance` label is the scrape target,
// so the id is a label of its own: join on it or use it in dashboards).
void export_instance(MetricsRegistry& metrics, const std::string& id) {
  metrics.gauge("parity_instance_info", {{"id", id}}, "The gateway's instance id (config `instance`, default the host name)")
      .set(1);
}

// spdlog patterns treat % specially: an instance id is shown as is.
std::string log_pattern(const std::string& instance) {
  std::string escaped;
  for (char c : instance) escaped += c == '%' ? std::string("%%") : std::string(1, c);
  return "%Y-%m-%dT%H:%M:%S.%e %^%l%$ [" + escaped + "] %v";
}

int run_gateway(const GatewayOptions& options) {
  auto log = make_log();
  auto cfg = load_or_report(options.config);
  if (!cfg) return 2;
  auto config = std::make_shared<const config::Config>(std::move(*cfg));
  const std::string instance = instance_id(*config);
  log->set_pattern(log_pattern(instance));
  auto access_pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  auto access_log = make_access_log(access_pool);
  MetricsRegistry metrics;
  metrics.add_collector([access_pool](std::string& out) {
    out += "# HELP parity_access_log_dropped_total Access log lines dropped because the log could not keep up\n"
           "# TYPE parity_access_log_dropped_total counter\n"
           "parity_access_log_dropped_total " +
           std::to_string(access_pool->overrun_counter()) + "\n";
  });
  auto clock = std::make_shared<SystemClock>();
  // The store and the live aggregates outlive the mirror, which outlives the server (whose pending
  // coroutines report to the mirror when they are destroyed).
  export_instance(metrics, instance);
  std::unique_ptr<store::JsonlSink> jsonl_sink;
  if (config->store.jsonl) {
    jsonl_sink = std::make_unique<store::JsonlSink>(store::jsonl_sink_options(config->store), log, clock);
    export_store_stats(metrics, *jsonl_sink);
  }
  std::unique_ptr<store::PostgresSink> postgres_sink;
  if (!config->store.url.empty()) {
    postgres_sink = std::make_unique<store::PostgresSink>(store::postgres_sink_options(config->store), log, clock);
    export_postgres_stats(metrics, *postgres_sink);
  }
  store::FanoutSink sink({jsonl_sink.get(), postgres_sink.get()});
  report::LiveAggregates live;
  metrics.add_collector([&live](std::string& out) { out += live.to_prometheus(); });
  // The guard counts the candidate's errors (on the event loops) and mismatches (from the records).
  gateway::CutoverGuard guard(*clock);
  auto on_record = [&guard](const store::Record& record) {
    if (record.served_by == "candidate" && record.verdict != compare::Verdict::error) {
      guard.observe_verdict(record.verdict == compare::Verdict::mismatch);
    }
  };
  shadow::MirrorService mirror(
      {log, &metrics, clock.get(), {&sink, &live, &metrics, instance}, 1, on_record});
  // The capture writer exists even when capture is off, so a reload can turn it on.
  store::CaptureFile capture_file({config->capture.path, config->capture.rotate_bytes, config->capture.keep_files,
                                   {config->capture.queue, std::chrono::milliseconds(500)}},
                                  log, clock);
  shadow::CaptureService::export_file_stats(metrics, capture_file);
  shadow::CaptureService capture({log, &metrics, clock.get(), &capture_file});
  if (config->capture.enabled) log->info("capture: recording sampled requests to {}", config->capture.path);
  gateway::ServerDeps deps;
  deps.log = log;
  deps.access_log = access_log;
  deps.metrics = &metrics;
  deps.clock = clock.get();
  deps.mirror = &mirror;
  deps.traffic_capture = &capture;
  deps.guard = &guard;
  deps.live = &live;
  deps.instance = instance;
  deps.seed = options.seed ? options.seed : std::random_device{}();
  deps.reload_source = [config_options = options.config] {
    return config::load_config(config_options.file, config::process_env, config_options.overrides);
  };
  gateway::Server server(config, deps);
  std::string error;
  if (!server.start(error)) {
    log->error("cannot start: {}", error);
    return 2;
  }
  server.run();
  mirror.wait_idle();
  sink.flush();
  if (jsonl_sink) {
    auto stats = jsonl_sink->stats();
    log->info("store flushed: {} record(s) written, {} dropped, {} failed", stats.written, stats.dropped,
              stats.failed);
  }
  if (postgres_sink) {
    auto stats = postgres_sink->stats();
    log->info("postgres store flushed: {} record(s) written, {} dropped, {} failed", stats.written, stats.dropped,
              stats.failed);
  }
  capture_file.flush();
  access_log->flush();
  return 0;
}

}  // namespace

void register_gateway_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GatewayOptions>();
  auto* command = app.add_subcommand("gateway", "Run the HTTPS gateway: serve from one backend, mirror to the other");
  add_config_options(*command, options->config);
  command->add_option("--seed", options->seed, "Seed of the random sources (request ids, sampling); 0 = random");
  command->footer(
      "Environment: PARITY_LISTEN, PARITY_SERVE, PARITY_TLS_CERT, PARITY_TLS_KEY, PARITY_LEGACY_URL,\n"
      "PARITY_CANDIDATE_URL, PARITY_STORE_PATH, … override the file; flags override both.\n"
      "Signals: SIGHUP reloads the file, SIGTERM/SIGINT drain requests in flight and exit 0.\n"
      "Admin API: on admin.listen when the variable named by admin.token_env (PARITY_ADMIN_TOKEN) is set;\n"
      "see `parity ctl --help`.");
  command->callback([options, &exit_code] { exit_code = run_gateway(*options); });
}

}  // namespace parity::cli
