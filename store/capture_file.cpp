#include "store/capture_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace parity::store {
namespace {

std::filesystem::path numbered(const std::filesystem::path& path, std::size_t n) {
  return n == 0 ? path : std::filesystem::path(path.string() + "." + std::to_string(n));
}

}  // namespace

CaptureFile::CaptureFile(CaptureFileOptions options, std::shared_ptr<spdlog::logger> logger,
                         std::shared_ptr<const Clock> clock)
    : BufferedWriter<TrafficRequest>(options.buffer),
      options_(std::move(options)),
      logger_(logger ? std::move(logger)
                     : std::make_shared<spdlog::logger>("parity.capture",
                                                        std::make_shared<spdlog::sinks::null_sink_mt>())),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()),
      failure_warning_(options_.warn_interval) {}

CaptureFile::~CaptureFile() {
  stop();
  close_file();
}

void CaptureFile::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool CaptureFile::ensure_open(std::string& reason) {
  if (fd_ >= 0) return true;
  std::error_code ec;
  if (options_.path.has_parent_path()) std::filesystem::create_directories(options_.path.parent_path(), ec);
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    reason = "cannot open " + options_.path.string() + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return true;
}

bool CaptureFile::rotate(std::string& reason) {
  close_file();
  std::error_code ec;
  if (options_.keep_files == 0) {
    std::filesystem::remove(options_.path, ec);
  } else {
    for (std::size_t n = options_.keep_files; n > 0; --n) {
      if (!std::filesystem::exists(numbered(options_.path, n - 1), ec)) continue;
      std::filesystem::rename(numbered(options_.path, n - 1), numbered(options_.path, n), ec);
      if (ec) {
        reason = "cannot rotate " + options_.path.string() + ": " + ec.message();
        return false;
      }
    }
  }
  rotations_.fetch_add(1);
  torn_line_ = false;
  return ensure_open(reason);
}

bool CaptureFile::write_all(const std::string& data, std::string& reason) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reason = "cannot write " + options_.path.string() + ": " + (n < 0 ? std::strerror(errno) : "no progress");
      if (done > 0) torn_line_ = true;
      close_file();  // reopen next time: the file may have been removed or the disk freed
      return false;
    }
    done += static_cast<std::size_t>(n);
    size_ += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool CaptureFile::write_batch(const std::vector<TrafficRequest>& batch) {
  std::string reason;
  bool ok = ensure_open(reason);
  std::string buffer;
  if (ok && torn_line_) buffer.push_back('\n');
  for (std::size_t i = 0; ok && i < batch.size(); ++i) {
    std::string line = traffic_to_json(batch[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    if (size_ + buffer.size() > 0 && size_ + buffer.size() + line.size() > options_.rotate_bytes) {
      ok = write_all(buffer, reason) && rotate(reason);
      buffer.clear();
    }
    buffer += line;
  }
  if (ok) ok = write_all(buffer, reason);
  if (ok) {
    torn_line_ = false;
    return true;
  }
  if (auto held = failure_warning_.admit(clock_->steady_now())) {
    logger_->warn("capture: {} ({} more failed batches since the last warning; clients are unaffected)", reason,
                  *held);
  }
  return false;
}

}  // namespace parity::store
