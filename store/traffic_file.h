#pragma once
// Traffic files: JSON lines of HTTP requests. One format serves three uses — a hand-written request mix
// for `parity bench` (fixtures/requests/*.jsonl), the gateway's capture of live traffic, and the input of
// `parity replay` (and of `parity bench --requests` with a capture). docs/traffic-files.md has the format.
//
//   {"method": "POST", "path": "/v1/chat/completions?x=1",          required
//    "headers": {"content-type": "application/json"}                 object, or [[name, value], ...]
//    "body": {...} | "text",  or  "body_b64": "..."                  JSON non-string bodies are sent
//    "weight": 5, "name": "chat-short",                              as compact JSON
//    "ts": "2026-11-25T18:37:20.123Z", "client": "10.0.0.7",         capture fields, optional
//    "route": "/v1/chat/completions", "request_id": "...", "body_truncated": false}
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http_message.h"

namespace parity::store {

struct TrafficRequest {
  HttpRequest request;  // method, target (path + query), headers in order, body bytes
  std::string name;     // label for per-endpoint tables; empty = method + route or path
  double weight = 1.0;  // relative frequency in a request mix (> 0)
  // Set by the gateway's capture; optional in hand-written files.
  std::optional<std::chrono::system_clock::time_point> ts;
  std::string client;      // client address: replay can keep per-client order
  std::string route;       // the matched route template
  std::string request_id;
  bool body_truncated = false;  // the capture kept only a prefix of the body
};

// Parses one line. On failure returns nullopt and sets `error` (without the line number).
std::optional<TrafficRequest> parse_traffic_line(std::string_view line, std::string& error);

// The JSON line for `request` (no trailing newline). Bodies that are not valid UTF-8 go to body_b64;
// headers are written as [[name, value], ...] so order and duplicates survive.
nlohmann::json traffic_to_json(const TrafficRequest& request);

struct TrafficFile {
  bool ok = false;       // false when the file cannot be read at all (`errors` says why)
  std::vector<TrafficRequest> requests;
  std::vector<std::string> errors;  // "FILE:LINE: reason" per malformed line (blank lines are skipped)
  std::uint64_t malformed = 0;
};

// Reads every valid line; malformed lines are reported, not fatal. Never throws.
TrafficFile read_traffic_file(const std::filesystem::path& path);

}  // namespace parity::store
