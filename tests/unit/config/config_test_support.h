#pragma once
// Shared by the config tests: no environment, a minimal valid config, and error lookup by key.
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace parity::config::test {

inline std::optional<std::string> no_env(const char*) { return std::nullopt; }

// A config that is valid without TLS files; tests append the sections they exercise.
inline const std::string kMinimalConfig = R"(
insecure_http: true
backends:
  legacy: {url: "http://127.0.0.1:8000"}
  candidate: {url: "http://127.0.0.1:9000"}
)";

// Whether there is an error on `key` whose reason contains `fragment`.
inline bool has_error(const std::vector<ConfigError>& errors, const std::string& key, const std::string& fragment) {
  for (const auto& e : errors) {
    if (e.key == key && e.reason.find(fragment) != std::string::npos) return true;
  }
  return false;
}
inline bool has_error(const LoadResult& r, const std::string& key, const std::string& fragment) {
  return has_error(r.errors, key, fragment);
}

}  // namespace parity::config::test
