#pragma once
// The flags every config-reading subcommand shares (-c FILE plus per-key overrides) and loading
// with precedence flag > env > file > default.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "config/config.h"

namespace parity::cli {

struct ConfigOptions {
  std::string file;
  std::vector<config::Override> overrides;
};

// Adds -c/--config and the override flags (--listen, --serve, --legacy, --candidate, --tls-cert, …).
void add_config_options(CLI::App& command, ConfigOptions& options);

// Loads and validates; on failure prints every error to stderr and returns nullopt.
std::optional<config::Config> load_or_report(const ConfigOptions& options);

}  // namespace parity::cli
