#pragma once
// The shared PostgreSQL sink: a BufferedSink whose writer inserts each batch with one COPY
// (store/postgres_store.h). Several gateway instances write to the same tables.
//
// Degraded mode (database down, slow, or refusing the batch): the gateway keeps serving. A batch that
// cannot be inserted is counted as failed and discarded; while the writer waits on a slow database the
// bounded queue fills and write() drops and counts. So, exactly, records in the database + dropped +
// failed == records handed to write(). A warning is logged at most once per warn_interval, the gauge
// parity_postgres_connected goes to 0, and every following batch reconnects first. A batch whose
// statement failed because the connection broke (server restarted while idle) is retried once on a
// fresh connection.
#include <atomic>
#include <chrono>
#include <memory>
#include <spdlog/logger.h>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/warning_throttle.h"
#include "store/buffered_sink.h"
#include "store/postgres_store.h"

namespace parity::store {

struct PostgresSinkOptions {
  std::string url;  // postgres://user[:password]@host[:port]/db[?…] (libpq URI)
  BufferedSinkOptions buffer;
  std::chrono::milliseconds warn_interval{30000};
  int statement_timeout_ms = 10000;  // a batch stuck longer than this fails (and is counted)
};

// The options of the config's `store:` section (url, queue, flush_interval_ms).
PostgresSinkOptions postgres_sink_options(const config::StoreConfig& store);

class PostgresSink final : public BufferedSink {
 public:
  // `logger` may be null; `clock` paces the warnings. Tries to connect (and migrate the schema) once
  // here, so a misconfigured store shows in the start-up log (waiting at most connect_timeout, 5 s by
  // default); a failure is not fatal.
  PostgresSink(PostgresSinkOptions options, std::shared_ptr<spdlog::logger> logger,
               std::shared_ptr<const Clock> clock);
  ~PostgresSink() override;  // inserts what is queued (or counts it as failed), then disconnects

  bool connected() const { return connected_.load(); }

 private:
  bool write_batch(const std::vector<Record>& batch) override;
  bool connect();
  void report_failure(std::size_t records, const std::string& reason);

  const PostgresSinkOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<const Clock> clock_;
  WarningThrottle throttle_;
  std::atomic<bool> connected_{false};
  PostgresStore store_;  // used by the constructor, then by the writer thread only
};

}  // namespace parity::store
