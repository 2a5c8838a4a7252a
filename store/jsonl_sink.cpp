#include "store/jsonl_sink.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spdlog/sinks/null_sink.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include "store/record_line.h"

namespace parity::store {

JsonlSinkOptions jsonl_sink_options(const config::StoreConfig& store) {
  JsonlSinkOptions options;
  options.directory = store.path;
  options.buffer.flush_interval = std::chrono::milliseconds(store.flush_interval_ms);
  options.buffer.queue_capacity = store.queue;
  return options;
}

JsonlSink::JsonlSink(JsonlSinkOptions options, std::shared_ptr<spdlog::logger> logger,
                     std::shared_ptr<const Clock> clock)
    : BufferedSink(options.buffer),
      options_(std::move(options)),
      file_(options_.directory / options_.file_name),
      logger_(logger ? std::move(logger)
                     : std::make_shared<spdlog::logger>("parity.store", std::make_shared<spdlog::sinks::null_sink_mt>())),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {}

JsonlSink::~JsonlSink() {
  stop();
  if (fd_ >= 0) ::fdatasync(fd_);  // the shutdown flush should survive a power cut, not just the process
  close_file();
}

void JsonlSink::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool JsonlSink::ensure_open(std::string& reason) {
  if (fd_ >= 0) return true;
  std::error_code ec;
  std::filesystem::create_directories(options_.directory, ec);
  if (ec) {
    reason = "cannot create directory " + options_.directory.string() + ": " + ec.message();
    return false;
  }
  fd_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    reason = "cannot open " + file_.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool JsonlSink::write_batch(const std::vector<Record>& batch) {
  std::string reason;
  if (!ensure_open(reason)) {
    report_failure(batch.size(), reason);
    return false;
  }
  std::string buffer;
  if (torn_line_) buffer.push_back('\n');
  for (const auto& record : batch) {
    append_record_line(buffer, record);  // invalid UTF-8 from a backend is replaced, never thrown on
    buffer.push_back('\n');
  }
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::write(fd_, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reason = "cannot write " + file_.string() + ": " + (n < 0 ? std::strerror(errno) : "no progress");
      if (done > 0) torn_line_ = true;
      close_file();  // reopen next time: the file may have been removed or the disk freed
      report_failure(batch.size(), reason);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  torn_line_ = false;
  if (failed_since_success_ > 0) {
    logger_->info("store: writing to {} again; {} records were lost meanwhile", file_.string(), failed_since_success_);
    failed_since_success_ = 0;
    failed_since_warning_ = 0;
    last_warning_.reset();
  }
  return true;
}

void JsonlSink::report_failure(std::size_t records, const std::string& reason) {
  failed_since_warning_ += records;
  failed_since_success_ += records;
  const auto now = clock_->steady_now();
  if (last_warning_ && now - *last_warning_ < options_.warn_interval) return;
  logger_->warn("store: {} ({} records lost since the last warning; the gateway keeps serving)", reason,
                failed_since_warning_);
  failed_since_warning_ = 0;
  last_warning_ = now;
}

}  // namespace parity::store
