// libFuzzer target: the JSON diff with rules (compare_responses: decode, parse, diff, ignore/unordered
// globs, error formats, verdict). The input is up to six parts separated by NUL bytes:
//   legacy body \0 candidate body \0 ignore globs (one per line) \0 unordered globs \0
//   error format legacy template (JSON) \0 error format candidate template (JSON)
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "compare/compare.h"
#include "compare/json_parse.h"

namespace {

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::stringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() < 5) {
    auto nul = input.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  parts.push_back(input);
  parts.resize(6);

  parity::compare::Rules rules;
  rules.ignore = lines(parts[2]);
  rules.unordered = lines(parts[3]);
  rules.noise.learn = false;
  auto legacy_template = parity::compare::parse_json(parts[4]);
  auto candidate_template = parity::compare::parse_json(parts[5]);
  if (legacy_template && candidate_template) {
    rules.error_formats.push_back({*legacy_template, *candidate_template, {{422, 400}}});
  }
  parity::HttpResponse legacy{200, {{"content-type", "application/json"}}, std::string(parts[0]), false};
  parity::HttpResponse candidate{200, {{"content-type", "application/json"}}, std::string(parts[1]), false};
  auto same = parity::compare::compare_responses(legacy, legacy, rules);
  // A response always matches itself.
  if (same.verdict != parity::compare::Verdict::match) __builtin_trap();
  auto result = parity::compare::compare_responses(legacy, candidate, rules);
  if (result.differences.size() > parity::compare::kMaxDifferences) __builtin_trap();
  (void)parity::compare::to_json(result).dump();
  candidate.status = 400;
  legacy.status = 422;
  (void)parity::compare::compare_responses(legacy, candidate, rules);
  return 0;
}
