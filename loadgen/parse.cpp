#include "loadgen/parse.h"

#include <cmath>
#include <cstdlib>

namespace parity::loadgen {

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text, std::string& error) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit = end ? std::string(end) : std::string{};
  double ms = -1;
  if (end != text.c_str() && std::isfinite(value) && value >= 0) {
    if (unit.empty() || unit == "s") ms = value * 1000;
    else if (unit == "ms") ms = value;
    else if (unit == "m") ms = value * 60000;
  }
  if (ms < 0) {
    error = "'" + text + "' is not a duration (e.g. 500ms, 2s, 1m)";
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

std::optional<std::vector<int>> parse_concurrency(const std::string& text, std::string& error) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n < 1 || n > 100000) {
      error = "--concurrency '" + text + "': '" + item + "' is not a number of connections (1..100000)";
      return std::nullopt;
    }
    out.push_back(static_cast<int>(n));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<std::pair<std::string, int>> parse_pid(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  const std::string name = eq == std::string::npos ? "" : text.substr(0, eq);
  if (name != "legacy" && name != "candidate" && name != "gateway") {
    error = "--pid '" + text + "': expected legacy=PID, candidate=PID or gateway=PID";
    return std::nullopt;
  }
  const std::string number = text.substr(eq + 1);
  char* end = nullptr;
  const long pid = std::strtol(number.c_str(), &end, 10);
  if (number.empty() || *end != '\0' || pid <= 0 || pid > 1 << 30) {
    error = "--pid '" + text + "': '" + number + "' is not a process id";
    return std::nullopt;
  }
  return std::pair<std::string, int>{name, static_cast<int>(pid)};
}

}  // namespace parity::loadgen
