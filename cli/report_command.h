#pragma once
// parity report [--store DIR] [--format html|md|json] [--output FILE]: render the report from the
// records a gateway (or replay) stored.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <ostream>
#include <string>

#include "core/clock.h"

namespace parity::cli {

struct ReportOptions {
  std::string store = "parity-data";  // store directory, or a records file
  std::string format = "md";          // html | md | json
  std::string output{};               // empty: md/json to stdout, html to <store>/report.html
  std::size_t top = 10;               // differing fields listed per route (md, html)
  bool fail_on_mismatch = false;      // exit 1 when any exchange mismatched or failed
};

void register_report_command(CLI::App& app, int& exit_code);

// The command itself, for tests: returns the exit status (0 ok, 1 mismatches with fail_on_mismatch,
// 2 no records file, bad options or unwritable output). `clock` dates the report.
int run_report(const ReportOptions& options, const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace parity::cli
