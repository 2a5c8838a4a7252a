// parity: one binary, one CLI11 subcommand per job.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"parity: prove that a rewritten HTTP service behaves like the one it replaces"};
  app.set_version_flag("--version", std::string("parity ") + PARITY_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  parity::cli::register_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 0 for --help/--version and 106+ for usage errors; the contract says usage = 2.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
