#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>

namespace parity::config {
namespace {

template <class T>
inline constexpr bool is_list = false;
template <class Item>
inline constexpr bool is_list<std::vector<Item>> = true;

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean (true/false)";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_integral_v<T>) return "a whole number";
  else if constexpr (std::is_same_v<T, std::vector<int>>) return "a list of whole numbers";
  else return "a list of strings";
}

bool is_token(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) || c == '-'; });
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) {
        // JSON object keys are strings: `{[a]: 1}` or `? {a: 1}` has no JSON equivalent.
        if (!kv.first.IsScalar()) throw YAML::RepresentationException(kv.first.Mark(), "map keys must be plain strings");
        out[kv.first.Scalar()] = yaml_to_json(kv.second);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted in the file: always a string
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      auto parsed = nlohmann::json::parse(s, nullptr, false);
      if (!parsed.is_discarded() && parsed.is_number()) return parsed;
      return s;
    }
    default:
      return nullptr;
  }
}

std::string YamlReader::join(const std::string& parent_key, const char* name) {
  return parent_key.empty() ? std::string(name) : parent_key + "." + name;
}

void YamlReader::error(const std::string& key, const std::string& reason) {
  auto it = origins_.find(key);
  errors_.push_back({key, it == origins_.end() ? reason : reason + " (from " + it->second + ")"});
}

void YamlReader::known_keys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed) {
  if (!map.IsMap()) return;
  std::vector<std::string> seen;
  for (const auto& kv : map) {
    auto name = kv.first.Scalar();
    // yaml-cpp keeps the first of two equal keys silently; a repeated key is always a mistake.
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      error(join(key, name.c_str()), "duplicate key");
      continue;
    }
    seen.push_back(name);
    bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; });
    if (!known) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      error(join(key, name.c_str()), "unknown key (expected one of: " + list + ")");
    }
  }
}

YAML::Node YamlReader::section(const YAML::Node& parent, const char* name, const std::string& parent_key) {
  YAML::Node child = parent[name];
  if (!child || child.IsNull()) return YAML::Node();
  if (!child.IsMap()) {
    error(join(parent_key, name), "must be a map");
    return YAML::Node();
  }
  return child;
}

template <class T>
bool YamlReader::read(const YAML::Node& parent, const char* name, const std::string& parent_key, T& out) {
  YAML::Node node = parent[name];
  if (!node) return false;
  try {
    if constexpr (is_list<T>) {
      if (!node.IsSequence()) throw YAML::BadConversion(node.Mark());
      T values;
      for (const auto& item : node) {
        if (!item.IsScalar()) throw YAML::BadConversion(item.Mark());
        values.push_back(item.as<typename T::value_type>());
      }
      out = std::move(values);
    } else if constexpr (std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
      // yaml-cpp happily converts "-1" to a huge unsigned value: refuse negatives explicitly.
      if (!node.IsScalar() || node.Scalar().find('-') != std::string::npos) throw YAML::BadConversion(node.Mark());
      out = node.as<T>();
    } else {
      if (!node.IsScalar()) throw YAML::BadConversion(node.Mark());
      out = node.as<T>();
    }
    return true;
  } catch (const YAML::Exception&) {
    std::string got = node.IsScalar() ? " (got '" + node.Scalar() + "')" : "";
    error(join(parent_key, name), std::string("must be ") + type_name<T>() + got);
    return false;
  }
}

template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, bool&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, int&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, double&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, std::size_t&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, std::string&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, std::vector<std::string>&);
template bool YamlReader::read(const YAML::Node&, const char*, const std::string&, std::vector<int>&);

bool YamlReader::read_positive(const YAML::Node& parent, const char* name, const std::string& parent_key, int& out) {
  if (!read(parent, name, parent_key, out)) return false;
  if (out > 0) return true;
  error(join(parent_key, name), "must be > 0");
  return false;
}

bool YamlReader::read_percent(const YAML::Node& parent, const char* name, const std::string& parent_key,
                              double& out) {
  if (!read(parent, name, parent_key, out)) return false;
  if (out >= 0 && out <= 100) return true;
  error(join(parent_key, name), "must be a percentage from 0 to 100");
  return false;
}

bool YamlReader::read_methods(const YAML::Node& parent, const char* name, const std::string& parent_key,
                              std::vector<std::string>& out) {
  std::vector<std::string> methods;
  if (!read(parent, name, parent_key, methods)) return false;
  for (auto& m : methods) {
    if (!is_token(m)) {
      error(join(parent_key, name), "'" + m + "' is not an HTTP method");
      return false;
    }
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  out = std::move(methods);
  return true;
}

std::string YamlReader::base_dir_for(const std::string& key, const std::string& file_dir) const {
  return origins_.count(key) ? std::string() : file_dir;
}

}  // namespace parity::config
