// parity check-config FILE: validate a configuration the way the gateway would at start-up.
#include <iostream>

#include "cli/commands.h"
#include "cli/config_options.h"
#include "gateway/snapshot.h"
#include "gateway/tls_context.h"

namespace parity::cli {
namespace {

int check_config(const ConfigOptions& options) {
  auto config = load_or_report(options);
  if (!config) return 2;
  // The same TLS checks as start-up: certificate/key pair, backend CA files.
  std::string error;
  if (!config->insecure_http && !gateway::make_server_tls(config->tls, error)) {
    std::cerr << "parity: invalid configuration in " << options.file << ":\n  " << error << "\n";
    return 2;
  }
  auto shared = std::make_shared<const config::Config>(*config);
  if (!gateway::make_snapshot(shared, 1, nullptr, error)) {
    std::cerr << "parity: invalid configuration in " << options.file << ":\n  " << error << "\n";
    return 2;
  }
  std::cout << options.file << ": ok (serve " << config::to_string(config->serve) << ", " << config->routes.size()
            << " route(s), mirror " << (config->mirror.enabled ? "on" : "off") << ")\n";
  return 0;
}

}  // namespace

void register_check_config_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ConfigOptions>();
  auto* command = app.add_subcommand("check-config", "Validate a configuration file; every error names its key");
  command->add_option("file", options->file, "YAML configuration file")->required()->check(CLI::ExistingFile);
  command->footer("Exit status: 0 valid, 2 invalid (each error is printed as `key: reason`).");
  command->callback([options, &exit_code] { exit_code = check_config(*options); });
}

}  // namespace parity::cli
