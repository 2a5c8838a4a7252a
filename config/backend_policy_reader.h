#pragma once
// Reads and validates the instance and protection keys of one `backends.<side>` section.
#include <yaml-cpp/yaml.h>

#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace parity::config {

// instances, balance, health_check, circuit_breaker, retries (config.cpp lists them as known keys).
void read_backend_policy(YamlReader& r, const YAML::Node& node, const std::string& key, BackendConfig& b);
// Before `url` is validated: with `instances:`, url/parsed become the first instance's (and `url:`
// next to `instances:` is an error). Parses every instance URL.
void validate_instances(YamlReader& r, const std::string& key, BackendConfig& b);
// After `url` is validated: `url:` alone becomes the single instance.
void single_instance_from_url(BackendConfig& b);

}  // namespace parity::config
