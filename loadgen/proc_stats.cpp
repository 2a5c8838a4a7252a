#include "loadgen/proc_stats.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace parity::loadgen {

std::optional<double> parse_stat_cpu_seconds(std::string_view text, long ticks_per_second) {
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> fields;  // fields 3.. (state first)
  std::size_t i = close + 1;
  while (i < text.size() && fields.size() < 13) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) fields.push_back(text.substr(i, j - i));
    i = j;
  }
  if (fields.size() < 13) return std::nullopt;
  // utime and stime are fields 14 and 15: indexes 11 and 12 here.
  unsigned long long utime = 0, stime = 0;
  auto parse = [](std::string_view f, unsigned long long& v) {
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    return ec == std::errc{} && p == f.data() + f.size();
  };
  if (!parse(fields[11], utime) || !parse(fields[12], stime)) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view text) {
  const auto at = text.find("VmRSS:");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + 6;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  std::uint64_t kib = 0;
  auto [p, ec] = std::from_chars(text.data() + i, text.data() + text.size(), kib);
  if (ec != std::errc{} || p == text.data() + i) return std::nullopt;
  return kib * 1024;
}

namespace {

bool slurp(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

std::optional<ProcSample> sample_process(int pid, std::string& error) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::string stat, status;
  if (pid <= 0 || !slurp(base + "/stat", stat) || !slurp(base + "/status", status)) {
    error = "process " + std::to_string(pid) + " not found (or /proc not readable)";
    return std::nullopt;
  }
  auto cpu = parse_stat_cpu_seconds(stat, sysconf(_SC_CLK_TCK));
  auto rss = parse_status_rss_bytes(status);
  if (!cpu || !rss) {
    error = "cannot parse " + base + "/stat or /status";
    return std::nullopt;
  }
  return ProcSample{*cpu, *rss};
}

}  // namespace parity::loadgen
