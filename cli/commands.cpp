#include "cli/commands.h"

#include "cli/diff_command.h"
#include "cli/report_command.h"

namespace parity::cli {

void register_gateway_command(CLI::App& app, int& exit_code);
void register_check_config_command(CLI::App& app, int& exit_code);
void register_ctl_command(CLI::App& app, int& exit_code);
void register_bench_command(CLI::App& app, int& exit_code);
void register_store_command(CLI::App& app, int& exit_code);
void register_replay_command(CLI::App& app, int& exit_code);

void register_commands(CLI::App& app, int& exit_code) {
  register_gateway_command(app, exit_code);
  register_diff_command(app, exit_code);
  register_report_command(app, exit_code);
  register_check_config_command(app, exit_code);
  register_ctl_command(app, exit_code);
  register_bench_command(app, exit_code);
  register_store_command(app, exit_code);
  register_replay_command(app, exit_code);
}

}  // namespace parity::cli
