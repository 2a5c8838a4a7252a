#include "cli/config_options.h"

#include <iostream>

namespace parity::cli {
namespace {

// Flags that override one config key each.
struct OverrideFlag {
  const char* flag;
  const char* key;
  const char* help;
};

constexpr OverrideFlag kFlags[] = {
    {"--listen", "listen", "Listen address host:port (config: listen)"},
    {"--serve", "serve", "Who answers clients: legacy or candidate (config: serve)"},
    {"--legacy", "backends.legacy.url", "Legacy backend URL (config: backends.legacy.url)"},
    {"--candidate", "backends.candidate.url", "Candidate backend URL (config: backends.candidate.url)"},
    {"--legacy-ca", "backends.legacy.ca", "CA file for an https legacy backend"},
    {"--candidate-ca", "backends.candidate.ca", "CA file for an https candidate backend"},
    {"--tls-cert", "tls.cert", "Server certificate chain, PEM (config: tls.cert)"},
    {"--tls-key", "tls.key", "Server private key, PEM (config: tls.key)"},
    {"--threads", "threads", "Event-loop threads, 0 = one per core (config: threads)"},
    {"--store", "store.path", "Directory of the record store (config: store.path)"},
    {"--admin-listen", "admin.listen", "Admin API address (config: admin.listen)"},
    {"--sample-percent", "mirror.sample_percent", "Share of requests mirrored, 0-100"},
    {"--store-url", "store.url", "Shared PostgreSQL store postgres://… (config: store.url)"},
    {"--instance", "instance", "Instance id in records, logs and metrics (config: instance; default: host name)"},
};

}  // namespace

void add_config_options(CLI::App& command, ConfigOptions& options) {
  command.add_option("-c,--config", options.file, "YAML configuration file (defaults apply without one)")
      ->check(CLI::ExistingFile);
  for (const auto& f : kFlags) {
    command.add_option_function<std::string>(
        f.flag, [&options, key = f.key](const std::string& value) { options.overrides.push_back({key, value}); },
        f.help);
  }
  command.add_flag_function(
      "--insecure-http",
      [&options](std::int64_t) { options.overrides.push_back({"insecure_http", "true"}); },
      "Serve plain HTTP without TLS (local development only; logged as a warning)");
  command.add_flag_function(
      "--no-access-log", [&options](std::int64_t) { options.overrides.push_back({"access_log", "false"}); },
      "Do not write a JSON access log line per request");
  command.add_flag_function(
      "--no-mirror", [&options](std::int64_t) { options.overrides.push_back({"mirror.enabled", "false"}); },
      "Start with mirroring off (config: mirror.enabled)");
}

std::optional<config::Config> load_or_report(const ConfigOptions& options) {
  auto result = config::load_config(options.file, config::process_env, options.overrides);
  if (result.config) return std::move(result.config);
  std::cerr << "parity: invalid configuration" << (options.file.empty() ? "" : " in " + options.file) << ":\n"
            << config::format_errors(result.errors);
  return std::nullopt;
}

}  // namespace parity::cli
