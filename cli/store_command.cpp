// parity store import FILE --to postgres://…: move records from a JSONL store to the shared PostgreSQL
// store (a gateway that ran with the embedded default, or the files of several instances).
#include <cctype>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "store/postgres_store.h"
#include "store/record_filter.h"
#include "store/record_reader.h"

namespace parity::cli {
namespace {

struct ImportOptions {
  std::string from;
  std::string to;
  std::string instance;        // for records that carry none
  std::size_t batch = 1000;
};

int run_import(const ImportOptions& options) {
  if (!store::is_postgres_url(options.to)) {
    std::cerr << "parity store import: --to must be a postgres:// URL (got \"" << options.to << "\")\n";
    return 2;
  }
  store::PostgresStore pg(options.to);
  std::string error;
  if (!pg.connect(error)) {
    std::cerr << "parity store import: " << error << "\n";
    return 2;
  }
  std::vector<store::Record> batch;
  std::uint64_t imported = 0;
  std::uint64_t already = 0;  // stored before (the same file imported again): kept once
  std::uint64_t bad_ts = 0;
  bool failed = false;
  auto flush = [&] {
    if (failed || batch.empty()) return;
    std::uint64_t added = 0;
    if (!pg.insert(batch, error, &added)) {
      failed = true;
      return;
    }
    imported += added;
    already += batch.size() - added;
    batch.clear();
  };
  const auto now = std::chrono::system_clock::now();
  const auto read = store::for_each_record(options.from, [&](store::Record&& r) {
    if (failed) return;
    // A record without a usable timestamp cannot be placed in a report window: skip and count it.
    std::string ignored;
    if (r.ts.empty() || !std::isdigit(static_cast<unsigned char>(r.ts.front())) ||
        !store::parse_time_bound(r.ts, now, ignored)) {
      ++bad_ts;
      return;
    }
    if (r.instance.empty()) r.instance = options.instance;
    batch.push_back(std::move(r));
    if (batch.size() >= options.batch) flush();
  });
  if (!read.ok) {
    std::cerr << "parity store import: " << read.error << "\n";
    return 2;
  }
  flush();
  if (failed) {
    std::cerr << "parity store import: stopped after " << imported << " record(s) (" << already
              << " already there): " << error << "\n";
    return 2;
  }
  std::cout << "imported " << imported << " record(s) from " << read.file.string() << " into "
            << store::redact_postgres_url(options.to);
  if (already > 0) std::cout << "; " << already << " record(s) already there, not stored twice";
  if (read.malformed > 0) std::cout << "; skipped " << read.malformed << " malformed line(s)";
  if (bad_ts > 0) std::cout << "; skipped " << bad_ts << " record(s) without a valid ts";
  std::cout << "\n";
  return 0;
}

}  // namespace

void register_store_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("store", "Manage record stores (move JSONL records into PostgreSQL)");
  command->require_subcommand(1);
  auto options = std::make_shared<ImportOptions>();
  auto* import = command->add_subcommand("import", "Append the records of a JSONL store to a PostgreSQL store");
  import->add_option("file", options->from, "records.jsonl, or a store directory holding one")->required();
  import->add_option("--to", options->to, "postgres://user@host[:port]/db (password: PGPASSWORD or ~/.pgpass)")
      ->required();
  import->add_option("--instance", options->instance, "Instance id for records that carry none");
  import->add_option("--batch", options->batch, "Records per COPY statement")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  import->footer(
      "Creates or migrates the schema, then appends (importing the same file twice stores it twice).\n"
      "Malformed lines and records without a valid ts are skipped and counted.\n"
      "Exit status: 0 imported; 2 bad options, unreadable file, or database error (the count imported so far is "
      "printed).");
  import->callback([options, &exit_code] { exit_code = run_import(*options); });
}

}  // namespace parity::cli
