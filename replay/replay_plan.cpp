#include "replay/replay_plan.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace parity::replay {

bool MismatchThreshold::exceeded(std::uint64_t failing, std::uint64_t total) const {
  if (!percent) return static_cast<double>(failing) > value;
  if (total == 0) return false;
  return static_cast<double>(failing) * 100.0 / static_cast<double>(total) > value;
}

std::optional<MismatchThreshold> parse_threshold(std::string_view text, std::string& error) {
  MismatchThreshold t;
  std::string_view number = text;
  if (!number.empty() && number.back() == '%') {
    t.percent = true;
    number.remove_suffix(1);
  }
  // std::from_chars for double is in GCC 11+; strtod would accept trailing garbage silently.
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), t.value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || t.value < 0 ||
      (t.percent && t.value > 100)) {
    error = "--max-mismatch must be a count like 5 or a percentage like 2.5%, not '" + std::string(text) + "'";
    return std::nullopt;
  }
  return t;
}

std::vector<std::vector<std::size_t>> plan_lanes(const std::vector<store::TrafficRequest>& requests, bool keep_order) {
  std::vector<std::vector<std::size_t>> lanes;
  if (!keep_order) {
    lanes.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) lanes.push_back({i});
    return lanes;
  }
  std::map<std::string, std::size_t> lane_of_client;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto [it, added] = lane_of_client.emplace(requests[i].client, lanes.size());
    if (added) lanes.emplace_back();
    lanes[it->second].push_back(i);
  }
  return lanes;
}

std::optional<std::chrono::system_clock::time_point> earliest_ts(const std::vector<store::TrafficRequest>& requests) {
  std::optional<std::chrono::system_clock::time_point> first;
  for (const auto& r : requests) {
    if (r.ts && (!first || *r.ts < *first)) first = r.ts;
  }
  return first;
}

std::chrono::microseconds due_offset(const store::TrafficRequest& request,
                                     std::optional<std::chrono::system_clock::time_point> first, double speed) {
  if (speed <= 0 || !request.ts || !first || *request.ts < *first) return std::chrono::microseconds(0);
  const auto offset = std::chrono::duration<double, std::micro>(*request.ts - *first).count() / speed;
  return std::chrono::microseconds(static_cast<std::int64_t>(offset));
}

std::string report_route(const store::TrafficRequest& request) {
  if (!request.route.empty()) return request.route;
  if (!request.name.empty()) return request.name;
  const auto& target = request.request.target;
  return target.substr(0, target.find('?'));
}

}  // namespace parity::replay
