#pragma once
// Registration of every subcommand; each sets `exit_code` when it runs (0 ok, 1 differences/check
// failed, 2 usage or config error).
#include <CLI/CLI.hpp>

namespace parity::cli {

void register_commands(CLI::App& app, int& exit_code);

}  // namespace parity::cli
