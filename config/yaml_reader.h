#pragma once
// Typed reads from a YAML tree that collect errors by dotted key instead of throwing.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"

namespace parity::config {

// A YAML tree as JSON; throws YAML::RepresentationException on a map key that is not a plain string.
nlohmann::json yaml_to_json(const YAML::Node& node);

class YamlReader {
 public:
  // `origins` maps dotted keys to where an override came from ("env PARITY_SERVE", "flag").
  explicit YamlReader(std::map<std::string, std::string> origins) : origins_(std::move(origins)) {}

  void error(const std::string& key, const std::string& reason);
  // Reports every key of `map` that is not in `allowed`.
  void known_keys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed);
  // The child map `name`, or a null node (with an error when it exists but is not a map).
  YAML::Node section(const YAML::Node& parent, const char* name, const std::string& parent_key);

  // Reads parent[name] into out when present; returns true when it was present and well-typed.
  template <class T>
  bool read(const YAML::Node& parent, const char* name, const std::string& parent_key, T& out);
  bool read_positive(const YAML::Node& parent, const char* name, const std::string& parent_key, int& out);
  bool read_percent(const YAML::Node& parent, const char* name, const std::string& parent_key, double& out);
  // A list of HTTP method tokens, upper-cased.
  bool read_methods(const YAML::Node& parent, const char* name, const std::string& parent_key,
                    std::vector<std::string>& out);

  // Relative paths from the file resolve against its directory; overrides against the working dir.
  std::string base_dir_for(const std::string& key, const std::string& file_dir) const;

  std::vector<ConfigError>& errors() { return errors_; }
  std::vector<ConfigError> take_errors() { return std::move(errors_); }

 private:
  static std::string join(const std::string& parent_key, const char* name);
  std::map<std::string, std::string> origins_;
  std::vector<ConfigError> errors_;
};

}  // namespace parity::config
