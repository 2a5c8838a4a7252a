#pragma once
// The file sink: appends one JSON line per record to <directory>/records.jsonl.
//
// Degraded mode (unwritable path, full disk, directory removed): the failing batch is counted as failed
// and discarded, a warning is logged at most once per warn_interval (with the number of failures in
// between), and the next batch tries to create the directory and open the file again. After a write
// that stopped mid-line, the next batch starts on a new line so the torn line stays one malformed line.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <spdlog/logger.h>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "store/buffered_sink.h"

namespace parity::store {

inline constexpr const char* kRecordsFileName = "records.jsonl";

struct JsonlSinkOptions {
  std::filesystem::path directory = "parity-data";
  std::string file_name = kRecordsFileName;
  BufferedSinkOptions buffer;
  std::chrono::milliseconds warn_interval{30000};  // at most one write-failure warning per interval
};

// The options of the config's `store:` section (path, flush_interval_ms).
JsonlSinkOptions jsonl_sink_options(const config::StoreConfig& store);

class JsonlSink final : public BufferedSink {
 public:
  // `logger` may be null (nothing is logged); `clock` paces the warnings and must not be null.
  JsonlSink(JsonlSinkOptions options, std::shared_ptr<spdlog::logger> logger, std::shared_ptr<const Clock> clock);
  ~JsonlSink() override;  // writes what is queued, then closes the file

  const std::filesystem::path& file() const { return file_; }

 private:
  bool write_batch(const std::vector<Record>& batch) override;
  bool ensure_open(std::string& reason);
  void close_file();
  void report_failure(std::size_t records, const std::string& reason);

  const JsonlSinkOptions options_;
  const std::filesystem::path file_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<const Clock> clock_;
  // Touched only by the writer thread (and the destructor after stop()).
  int fd_ = -1;
  bool torn_line_ = false;  // the last write stopped mid-line
  std::uint64_t failed_since_warning_ = 0;
  std::uint64_t failed_since_success_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_warning_;
};

}  // namespace parity::store
