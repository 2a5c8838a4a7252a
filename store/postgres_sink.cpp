#include "store/postgres_sink.h"

#include <spdlog/sinks/null_sink.h>

#include <utility>

namespace parity::store {

PostgresSinkOptions postgres_sink_options(const config::StoreConfig& store) {
  PostgresSinkOptions options;
  options.url = store.url;
  options.buffer.queue_capacity = store.queue;
  options.buffer.flush_interval = std::chrono::milliseconds(store.flush_interval_ms);
  return options;
}

PostgresSink::PostgresSink(PostgresSinkOptions options, std::shared_ptr<spdlog::logger> logger,
                           std::shared_ptr<const Clock> clock)
    : BufferedSink(options.buffer),
      options_(std::move(options)),
      logger_(logger ? std::move(logger)
                     : std::make_shared<spdlog::logger>("parity.store", std::make_shared<spdlog::sinks::null_sink_mt>())),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()),
      throttle_(options_.warn_interval),
      store_(options_.url, options_.statement_timeout_ms) {
  // No record can be queued before the constructor returns, so the writer thread is not using store_.
  if (connect()) {
    logger_->info("store: PostgreSQL {} (schema version {})", redact_postgres_url(options_.url),
                  kPostgresSchemaVersion);
  }
}

PostgresSink::~PostgresSink() {
  stop();
  store_.disconnect();
}

bool PostgresSink::connect() {
  std::string error;
  const bool was_connected = connected_.load();
  if (store_.connect(error)) {
    if (!was_connected) connected_ = true;
    return true;
  }
  connected_ = false;
  if (auto held = throttle_.admit(clock_->steady_now())) {
    logger_->warn("store: PostgreSQL unavailable, records are dropped and counted until it is back: {}{}", error,
                  *held ? " (" + std::to_string(*held) + " more failures since the last warning)" : "");
  }
  return false;
}

void PostgresSink::report_failure(std::size_t records, const std::string& reason) {
  if (auto held = throttle_.admit(clock_->steady_now())) {
    logger_->warn("store: {} record(s) not written to PostgreSQL: {}{}", records, reason,
                  *held ? " (" + std::to_string(*held) + " more failures since the last warning)" : "");
  }
}

bool PostgresSink::write_batch(const std::vector<Record>& batch) {
  const bool was_connected = connected_.load();
  if (!connect()) return false;
  if (!was_connected) logger_->info("store: connected to PostgreSQL {}", redact_postgres_url(options_.url));
  std::string error;
  if (store_.insert(batch, error)) return true;
  if (!store_.connected()) {
    // The connection broke (the server restarted while we were idle): one retry on a new one.
    store_.disconnect();
    if (connect() && store_.insert(batch, error)) return true;
    connected_ = store_.connected();
  }
  report_failure(batch.size(), error);
  return false;
}

}  // namespace parity::store
