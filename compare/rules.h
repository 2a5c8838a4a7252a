#pragma once
// The comparison rules of the config's `compare:` section, as plain values.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace parity::compare {

// A declared pair of error shapes: templates where "$name" binds a value that must be equal on both
// sides and "*" matches anything.
struct ErrorFormat {
  nlohmann::json legacy;
  nlohmann::json candidate;
  // (legacy status, candidate status) pairs, e.g. {422, 400}. When given, the format applies only to
  // exchanges with one of these pairs, and explains their status difference; without any, it applies to
  // every pair, and a status difference between two matching error bodies is still a mismatch.
  std::vector<std::pair<int, int>> statuses;
};

struct NoiseRules {
  bool learn = true;                // learn noise fields from a second legacy call and never-repeating values
  double resample_percent = 5.0;    // share of safe mirrored requests also sent a second time to legacy
  std::vector<std::string> fields;  // pointer globs the user declares as noise
};

struct Rules {
  std::vector<std::string> ignore;                   // pointer globs: * one segment, ** any depth
  std::vector<std::string> headers{"content-type"};  // lower-case response header names that are compared
  std::vector<std::string> unordered;                // pointer globs of arrays compared as multisets
  double number_tolerance = 1e-9;
  std::vector<ErrorFormat> error_formats;
  NoiseRules noise;
};

}  // namespace parity::compare
