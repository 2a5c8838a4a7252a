#include "cli/report_command.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>
#include <tuple>

#include "report/aggregate.h"
#include "report/render_html.h"
#include "report/render_json.h"
#include "report/render_md.h"
#include "store/postgres_store.h"
#include "store/record_filter.h"
#include "store/record_reader.h"

namespace parity::cli {
namespace {

namespace fs = std::filesystem;

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Writes through a temporary file and a rename, so a reader never sees half a report.
bool write_file(const fs::path& path, const std::string& text, std::string& error) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = "cannot write " + path.string();
      return false;
    }
    out << text;
    out.close();
    if (!out) {
      error = "cannot write " + path.string() + " (disk full?)";
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    error = "cannot write " + path.string() + ": " + ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

std::string render(const report::Aggregate& aggregate, const report::RenderOptions& options, const std::string& format) {
  if (format == "html") return report::render_html(aggregate, options);
  if (format == "json") {
    return report::render_json(aggregate, options).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return report::render_md(aggregate, options);
}

}  // namespace

int run_report(const ReportOptions& options, const Clock& clock, std::ostream& out, std::ostream& err) {
  if (options.format != "html" && options.format != "md" && options.format != "json") {
    err << "parity report: --format must be html, md or json (got \"" << options.format << "\")\n";
    return 2;
  }
  store::RecordFilter filter;
  for (auto [text, bound, flag] : {std::tuple{&options.since, &filter.since, "--since"},
                                   std::tuple{&options.until, &filter.until, "--until"}}) {
    if (text->empty()) continue;
    std::string error;
    auto parsed = store::parse_time_bound(*text, clock.now(), error);
    if (!parsed) {
      err << "parity report: " << flag << ": " << error << "\n";
      return 2;
    }
    *bound = *parsed;
  }
  filter.instances = options.instances;

  report::Aggregate aggregate;
  report::RenderOptions render_options;
  std::error_code ec;
  if (store::is_postgres_url(options.store)) {
    // The shared store: the same Record values as a JSONL file, fed to the same Aggregate.
    store::PostgresStore pg(options.store);
    std::string error;
    std::uint64_t malformed = 0;
    if (!pg.connect(error) ||
        !pg.for_each(filter, [&](store::Record&& r) { aggregate.add(r); }, malformed, error)) {
      err << "parity report: " << error << "\n";
      return 2;
    }
    if (malformed > 0) err << "parity report: skipped " << malformed << " unreadable row(s) in PostgreSQL\n";
    render_options.source = store::redact_postgres_url(options.store);
    render_options.malformed = malformed;
  } else {
    if (!fs::exists(options.store, ec)) {
      err << "parity report: store " << options.store
          << " does not exist (pass --store DIR, the gateway's store.path, or --store postgres://…)\n";
      return 2;
    }
    const auto read = store::for_each_record(options.store, [&](store::Record&& r) {
      if (filter.matches(r)) aggregate.add(r);
    });
    if (!read.ok) {
      err << "parity report: " << read.error << " (the gateway writes <store.path>/records.jsonl)\n";
      return 2;
    }
    if (read.malformed > 0) {
      err << "parity report: skipped " << read.malformed << " malformed line" << (read.malformed == 1 ? "" : "s")
          << " in " << read.file.string() << " (first at line " << read.malformed_lines.front() << ")\n";
    }
    render_options.source = read.file.string();
    render_options.malformed = read.malformed;
  }

  render_options.generated_at = rfc3339(clock.now());
  render_options.top_fields = options.top;
  const std::string text = render(aggregate, render_options, options.format);

  fs::path target = options.output;
  if (target.empty() && options.format == "html") {
    const fs::path store(store::is_postgres_url(options.store) ? fs::path(".") : fs::path(options.store));
    target = (fs::is_directory(store, ec) ? store : store.parent_path()) / "report.html";
  }
  if (target.empty()) {
    out << text;
    out.flush();
  } else {
    std::string error;
    if (!write_file(target, text, error)) {
      err << "parity report: " << error << "\n";
      return 2;
    }
    out << target.string() << "\n";
  }

  const auto& counts = aggregate.summary().counts;
  return options.fail_on_mismatch && counts.mismatch + counts.error > 0 ? 1 : 0;
}

void register_report_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReportOptions>();
  auto* command = app.add_subcommand("report", "Render the parity report (html, md or json) from stored records");
  command->add_option("--store,-s", options->store, "Store directory (the config's store.path), a records file, or the shared PostgreSQL store "
                      "(postgres://user@host/db; password from PGPASSWORD or ~/.pgpass)")
      ->capture_default_str();
  command->add_option("--format,-f", options->format,
                      "html: one self-contained page with charts; md: tables for a pull request; json: for tools")
      ->check(CLI::IsMember({"html", "md", "json"}))
      ->capture_default_str();
  command->add_option("--output,-o", options->output,
                      "Write the report to FILE and print its path (default: md and json to stdout, html to "
                      "<store>/report.html)");
  command->add_option("--top", options->top, "Differing fields listed per route in html and md")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  command->add_option("--since", options->since,
                      "Only records at or after T: RFC 3339 (2026-11-25T18:00:00Z), a date, or a duration before "
                      "now (90s, 15m, 2h, 7d)");
  command->add_option("--until", options->until, "Only records before T (same forms as --since)");
  command->add_option("--instance", options->instances,
                      "Only records of this gateway instance (repeatable; default: every instance)");
  command->add_flag("--fail-on-mismatch", options->fail_on_mismatch,
                    "Exit 1 when any exchange mismatched or failed (for CI gates)");
  command->footer(
      "Reads <store>/records.jsonl (one JSON line per mirrored exchange) and skips malformed lines with a "
      "warning,\nor every instance's records from PostgreSQL (store.url). Percentiles are computed over all the "
      "latencies\nof the selected records, never averaged across instances.\nExit status: 0 report written; 1 mismatches found with --fail-on-mismatch; 2 no records file, "
      "bad options or unwritable output.");
  command->callback([options, &exit_code] {
    const SystemClock clock;
    exit_code = run_report(*options, clock, std::cout, std::cerr);
  });
}

}  // namespace parity::cli
