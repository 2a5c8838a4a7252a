#pragma once
// CPU time and resident memory of a process, from /proc (Linux), for the --pid figures.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parity::loadgen {

struct ProcSample {
  double cpu_seconds = 0;       // utime + stime so far
  std::uint64_t rss_bytes = 0;  // resident set size now
};

// Parsers of /proc/PID/stat and /proc/PID/status text (pure, for tests). nullopt when malformed.
std::optional<double> parse_stat_cpu_seconds(std::string_view stat_text, long ticks_per_second);
std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view status_text);

// Reads both files; nullopt (and `error`) when the process does not exist or cannot be read.
std::optional<ProcSample> sample_process(int pid, std::string& error);

}  // namespace parity::loadgen
