#pragma once
// Helpers shared by the store tests: a temporary directory, a settable clock, a capturing logger and
// a record factory.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <string>
#include <thread>

#include "core/clock.h"
#include "store/record.h"

namespace parity::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parity-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(offset_ms_.load()));
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(offset_ms_.load()));
  }
  void advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

 private:
  std::atomic<long long> offset_ms_{1'000'000};
};

// Keeps every formatted message; thread-safe (the writer thread logs while the test reads).
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_ += std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size());
    text_ += ' ';
    text_.append(msg.payload.data(), msg.payload.size());
    text_ += '\n';
  }
  void flush_() override {}
  std::string text_;
};

struct CapturedLog {
  std::shared_ptr<CaptureSink> sink = std::make_shared<CaptureSink>();
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>("test", sink);
  std::string text() const { return sink->text(); }
};

inline std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

inline Record make_record(int i) {
  Record r;
  r.ts = "2026-11-25T18:37:20.123Z";
  r.request_id = "req-" + std::to_string(i);
  r.method = "GET";
  r.route = "/v1/files/{file_id}";
  r.target = "/v1/files/" + std::to_string(i);
  r.served_by = "legacy";
  r.verdict = i % 2 ? compare::Verdict::mismatch : compare::Verdict::match;
  r.legacy = {200, 12.5, 321, ""};
  r.candidate = {200, 9.25, 318, ""};
  if (i % 2) r.differences.push_back({"/name", compare::DiffKind::value, "a", "b", compare::Explained::none});
  return r;
}

// Polls `done` for up to five seconds (for effects of the writer thread's timer).
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace parity::store::testing
