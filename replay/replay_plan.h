#pragma once
// The pure part of `parity replay`: the mismatch threshold for CI, the order requests are sent in
// (lanes), and their pacing from the recorded times. No I/O, no clock.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/traffic_file.h"

namespace parity::replay {

// --max-mismatch: a count ("5") or a percentage of the replayed exchanges ("2%").
struct MismatchThreshold {
  double value = 0;
  bool percent = false;

  // Failing exchanges (mismatch or error verdicts) over the threshold?
  bool exceeded(std::uint64_t failing, std::uint64_t total) const;
};
std::optional<MismatchThreshold> parse_threshold(std::string_view text, std::string& error);

// Requests as lanes: each lane is sent in order by one worker, lanes run concurrently. With
// keep_order, one lane per client (file order kept within it; requests without a client share one
// lane); without, one lane per request. Lanes are ordered by their first request.
std::vector<std::vector<std::size_t>> plan_lanes(const std::vector<store::TrafficRequest>& requests, bool keep_order);

// The earliest recorded `ts` of the file, if any request has one.
std::optional<std::chrono::system_clock::time_point> earliest_ts(const std::vector<store::TrafficRequest>& requests);

// When `request` is due, from the start of the replay: its recorded offset from `first` divided by
// `speed`. Zero when speed <= 0 (as fast as possible) or the request has no ts.
std::chrono::microseconds due_offset(const store::TrafficRequest& request,
                                     std::optional<std::chrono::system_clock::time_point> first, double speed);

// The route a replayed exchange is reported under: the captured route, else the name, else the path.
std::string report_route(const store::TrafficRequest& request);

}  // namespace parity::replay
