#pragma once
// The gateway's capture file: traffic lines (store/traffic_file.h) appended by a background writer
// (store/buffered_writer.h), so the client path only enqueues. Rotated by size: parity-capture.jsonl
// becomes parity-capture.jsonl.1, the older .1 becomes .2, …, and files beyond keep_files are removed.
//
// Degraded modes: a full queue drops the request (push() returns false; the caller counts and warns);
// an unwritable path or a full disk counts the batch as failed, logs a throttled warning and tries to
// reopen the file with the next batch.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <spdlog/logger.h>
#include <string>

#include "core/clock.h"
#include "core/warning_throttle.h"
#include "store/buffered_writer.h"
#include "store/traffic_file.h"

namespace parity::store {

struct CaptureFileOptions {
  std::filesystem::path path = "parity-capture.jsonl";
  std::uint64_t rotate_bytes = 64ull * 1024 * 1024;
  std::size_t keep_files = 5;
  BufferedSinkOptions buffer;
  std::chrono::milliseconds warn_interval{30000};
};

class CaptureFile final : public BufferedWriter<TrafficRequest> {
 public:
  // `logger` may be null; `clock` paces the warnings and must not be null.
  CaptureFile(CaptureFileOptions options, std::shared_ptr<spdlog::logger> logger, std::shared_ptr<const Clock> clock);
  ~CaptureFile() override;

  using BufferedWriter<TrafficRequest>::push;
  using BufferedWriter<TrafficRequest>::flush;
  using BufferedWriter<TrafficRequest>::stats;
  const std::filesystem::path& path() const { return options_.path; }
  std::uint64_t rotations() const { return rotations_.load(); }

 private:
  bool write_batch(const std::vector<TrafficRequest>& batch) override;
  bool ensure_open(std::string& reason);
  bool write_all(const std::string& data, std::string& reason);
  bool rotate(std::string& reason);
  void close_file();

  const CaptureFileOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<const Clock> clock_;
  WarningThrottle failure_warning_;
  std::atomic<std::uint64_t> rotations_{0};
  // Touched only by the writer thread (and the destructor after stop()).
  int fd_ = -1;
  std::uint64_t size_ = 0;
  bool torn_line_ = false;
};

}  // namespace parity::store
