#pragma once
// The gateway-protection sections of the config: rate_limit, auth, cors, plus the checks that need
// the environment or files (API keys, JWT secret and key, client CA). Internal to config/.
#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace parity::config {

void read_protect_sections(YamlReader& r, const YAML::Node& root, Config& c);
// Resolves secrets (values_env, values_file, hs256_secret_env, rs256_public_key) and cross-checks
// (per-route limits name existing routes). Errors name the key, never a secret's value.
void validate_protect(Config& c, YamlReader& r, const std::string& base_dir, EnvLookup env);

}  // namespace parity::config
