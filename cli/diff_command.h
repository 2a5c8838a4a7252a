#pragma once
// parity diff LEGACY CANDIDATE [-c parity.yaml] [--format table|json]: compare two bodies with the
// configured compare rules, as the gateway would compare a legacy and a candidate response.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace parity::cli {

struct DiffOptions {
  std::string legacy_file;
  std::string candidate_file;
  std::string config_file;                      // empty: default rules
  std::string format = "table";                 // table | json
  std::string content_type = "application/json";  // the Content-Type both bodies are compared as
};

void register_diff_command(CLI::App& app, int& exit_code);

// The command itself, for tests: 0 when the bodies match (or differ only as the rules expect), 1 when
// they differ, 2 when a file or the config cannot be read.
int run_diff(const DiffOptions& options, std::ostream& out, std::ostream& err);

}  // namespace parity::cli
