#pragma once
// parity report [--store DIR|postgres://…] [--format html|md|json] [--output FILE] [--since T] [--until T]
// [--instance ID]…: render the report from the records a gateway (or replay) stored, in a JSONL file or
// in the shared PostgreSQL store of several instances.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"

namespace parity::cli {

struct ReportOptions {
  std::string store = "parity-data";  // store directory, or a records file
  std::string format = "md";          // html | md | json
  std::string output{};               // empty: md/json to stdout, html to <store>/report.html
  std::size_t top = 10;               // differing fields listed per route (md, html)
  bool fail_on_mismatch = false;      // exit 1 when any exchange mismatched or failed
  // The window and instances covered (same meaning for a JSONL file and for PostgreSQL).
  std::string since{};                // RFC 3339, a date, or a duration before now (2h)
  std::string until{};                // exclusive
  std::vector<std::string> instances{};
};

void register_report_command(CLI::App& app, int& exit_code);

// The command itself, for tests: returns the exit status (0 ok, 1 mismatches with fail_on_mismatch,
// 2 no records file, bad options or unwritable output). `clock` dates the report.
int run_report(const ReportOptions& options, const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace parity::cli
