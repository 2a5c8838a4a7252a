#pragma once
// Parsing of bench command-line values (pure, for tests). nullopt and `error` on bad input.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parity::loadgen {

// "500ms", "2s", "1.5s", "1m", or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text, std::string& error);
// "10,50,100,200": positive integers.
std::optional<std::vector<int>> parse_concurrency(const std::string& text, std::string& error);
// "legacy=1234": a target name and a pid.
std::optional<std::pair<std::string, int>> parse_pid(const std::string& text, std::string& error);

}  // namespace parity::loadgen
