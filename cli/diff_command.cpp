#include "cli/diff_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "compare/compare.h"
#include "compare/excerpt.h"
#include "config/config.h"

namespace parity::cli {
namespace {

constexpr std::size_t kPointerWidth = 48;
constexpr std::size_t kValueWidth = 40;

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    error = "error while reading " + path;
    return std::nullopt;
  }
  return text.str();
}

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;  // count code points, not bytes
  return width;
}

// At most `width` code points, with "…" when cut.
std::string clip(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  std::string out;
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool starts_point = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts_point && ++points > width - 1) break;
    out += s[i];
  }
  return out + "\xE2\x80\xA6";
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string show_value(const nlohmann::json& v) { return v.is_null() ? "-" : compare::dump_json(v); }

void print_table(const compare::Comparison& c, std::ostream& out) {
  if (c.differences.empty()) {
    out << "no differences\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"POINTER", "KIND", "LEGACY", "CANDIDATE", "EXPLAINED"}};
    for (const auto& d : c.differences) {
      rows.push_back({clip(d.pointer.empty() ? "(root)" : d.pointer, kPointerWidth),
                      std::string(compare::to_string(d.kind)), clip(show_value(d.legacy), kValueWidth),
                      clip(show_value(d.candidate), kValueWidth),
                      d.explained == compare::Explained::none ? "-" : std::string(compare::to_string(d.explained))});
    }
    std::vector<std::size_t> widths(rows[0].size(), 0);
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
    }
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) line += (i + 1 < row.size() ? pad(row[i], widths[i] + 2) : row[i]);
      out << line << "\n";
    }
  }
  std::size_t unexplained = 0, noise = 0, error_format = 0;
  for (const auto& d : c.differences) {
    if (d.explained == compare::Explained::none) ++unexplained;
    if (d.explained == compare::Explained::noise) ++noise;
    if (d.explained == compare::Explained::error_format) ++error_format;
  }
  out << "verdict: " << compare::to_string(c.verdict) << " (" << c.differences.size() << " difference"
      << (c.differences.size() == 1 ? "" : "s") << ": " << unexplained << " unexplained, " << noise << " noise, "
      << error_format << " error format";
  if (c.omitted > 0) out << "; " << c.omitted << " more not listed";
  out << ")\n";
}

}  // namespace

int run_diff(const DiffOptions& options, std::ostream& out, std::ostream& err) {
  if (options.format != "table" && options.format != "json") {
    err << "parity diff: --format must be table or json, not " << options.format << "\n";
    return 2;
  }
  compare::Rules rules;
  if (!options.config_file.empty()) {
    // Only the compare rules matter here: a file with just a `compare:` section is enough.
    auto loaded = config::load_compare_rules(options.config_file);
    if (!loaded.rules) {
      err << "parity diff: invalid configuration in " << options.config_file << ":\n"
          << config::format_errors(loaded.errors);
      return 2;
    }
    rules = std::move(*loaded.rules);
  }
  std::string error;
  auto legacy_body = read_file(options.legacy_file, error);
  auto candidate_body = legacy_body ? read_file(options.candidate_file, error) : std::nullopt;
  if (!legacy_body || !candidate_body) {
    err << "parity diff: " << error << "\n";
    return 2;
  }
  const auto as_response = [&](std::string body) {
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", options.content_type}};
    r.body = std::move(body);
    return r;
  };
  const compare::Comparison result =
      compare::compare_responses(as_response(std::move(*legacy_body)), as_response(std::move(*candidate_body)), rules);
  if (options.format == "json") {
    out << compare::to_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_table(result, out);
  }
  return result.verdict == compare::Verdict::match || result.verdict == compare::Verdict::expected ? 0 : 1;
}

void register_diff_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DiffOptions>();
  auto* command = app.add_subcommand(
      "diff", "Compare two response bodies with the configured compare rules (ignore, unordered, number "
              "tolerance, error formats, noise fields)");
  command->add_option("legacy", options->legacy_file, "Body of the legacy response (JSON, or any bytes)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("candidate", options->candidate_file, "Body of the candidate response (JSON, or any bytes)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("-c,--config", options->config_file,
                      "Gateway configuration (YAML) whose compare: section supplies the rules; the whole file is "
                      "validated as the gateway would (default: built-in rules)")
      ->check(CLI::ExistingFile);
  command->add_option("--format", options->format, "Output: a readable table, or the differences as JSON")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  command->add_option("--content-type", options->content_type,
                      "Content-Type both bodies are compared as; text/event-stream compares event streams")
      ->capture_default_str();
  command->footer(
      "Bodies that parse as JSON are compared structurally (key order ignored, 1 == 1.0); others byte for byte.\n"
      "Each difference is printed as pointer, kind, legacy value, candidate value and why it is explained\n"
      "(noise, error_format; - = not explained). Differences under compare.ignore globs are not listed.\n"
      "\n"
      "Exit status: 0 match or expected, 1 the bodies differ (mismatch),\n"
      "             2 usage error, unreadable file or invalid configuration.\n"
      "\n"
      "Example: parity diff legacy.json candidate.json -c parity.yaml --format json");
  command->callback([options, &exit_code] { exit_code = run_diff(*options, std::cout, std::cerr); });
}

}  // namespace parity::cli
