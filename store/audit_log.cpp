#include "store/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace parity::store {

AuditLog::AuditLog(std::filesystem::path directory, std::shared_ptr<spdlog::logger> log, Counter* failures)
    : directory_(std::move(directory)), log_(std::move(log)), failures_(failures) {}

std::filesystem::path AuditLog::file() const {
  std::lock_guard lock(mutex_);
  return directory_ / kAuditFileName;
}

bool AuditLog::append(const nlohmann::json& entry) {
  std::string line = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  const auto path = directory_ / kAuditFileName;
  std::string reason;
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  // Opened per line: the trail is rare, and a store directory removed or remounted meanwhile is
  // picked up again instead of writing into a deleted file.
  int fd = ec ? -1 : ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (ec) {
    reason = "cannot create directory " + directory_.string() + ": " + ec.message();
  } else if (fd < 0) {
    reason = "cannot open " + path.string() + ": " + std::strerror(errno);
  } else {
    // One write() of the whole line: with O_APPEND concurrent writers never interleave inside it.
    auto written = ::write(fd, line.data(), line.size());
    if (written != static_cast<ssize_t>(line.size())) {
      reason = "cannot write " + path.string() + ": " + (written < 0 ? std::strerror(errno) : "short write");
    } else if (::fdatasync(fd) != 0) {
      reason = "cannot sync " + path.string() + ": " + std::strerror(errno);
    }
    ::close(fd);
  }
  if (reason.empty()) return true;
  if (failures_) failures_->inc();
  if (log_) log_->warn("audit trail not written ({}); the change itself is in force: {}", reason, line.substr(0, line.size() - 1));
  return false;
}

}  // namespace parity::store
