#pragma once
// The audit trail of runtime changes: one JSON line per serve switch, reload, mirror toggle or guard
// trip, appended to <store.path>/audit.jsonl and flushed at once (they are rare and must survive a
// crash). A failed write is logged and counted, never fatal: the change itself has already happened.
#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/metrics.h"

namespace parity::store {

inline constexpr const char* kAuditFileName = "audit.jsonl";

class AuditLog {
 public:
  // `failures` counts lines that could not be written (may be null).
  AuditLog(std::filesystem::path directory, std::shared_ptr<spdlog::logger> log, Counter* failures);

  // Appends `entry` as one line; false (after a warning) when it could not be written.
  bool append(const nlohmann::json& entry);
  std::filesystem::path file() const;

 private:
  mutable std::mutex mutex_;
  std::filesystem::path directory_;
  std::shared_ptr<spdlog::logger> log_;
  Counter* failures_;
};

}  // namespace parity::store
