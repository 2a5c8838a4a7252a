#include "gateway/start_only_settings.h"

namespace parity::gateway {

namespace {

std::string text(const std::string& v) { return v.empty() ? "(none)" : v; }
std::string text(bool v) { return v ? "true" : "false"; }
template <class Number>
std::string text(Number v) { return std::to_string(v); }

}  // namespace

std::vector<StartOnlyChange> start_only_changes(const config::Config& running, const config::Config& next) {
  std::vector<StartOnlyChange> out;
  auto check = [&](const char* key, const auto& kept, const auto& asked) {
    if (kept != asked) out.push_back({key, text(kept), text(asked)});
  };
  check("threads", running.threads, next.threads);
  check("instance", running.instance, next.instance);
  check("admin.listen", running.admin.listen, next.admin.listen);
  check("store.path", running.store.path, next.store.path);
  check("store.url", running.store.url, next.store.url);
  check("store.jsonl", running.store.jsonl, next.store.jsonl);
  check("store.queue", running.store.queue, next.store.queue);
  check("store.flush_interval_ms", running.store.flush_interval_ms, next.store.flush_interval_ms);
  check("capture.path", running.capture.path, next.capture.path);
  check("capture.rotate_bytes", running.capture.rotate_bytes, next.capture.rotate_bytes);
  check("capture.keep_files", running.capture.keep_files, next.capture.keep_files);
  check("capture.queue", running.capture.queue, next.capture.queue);
  return out;
}

}  // namespace parity::gateway
