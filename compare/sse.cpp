#include "compare/sse.h"

#include <algorithm>

#include "compare/excerpt.h"
#include "compare/json_parse.h"
#include "compare/json_pointer.h"

namespace parity::compare {
namespace {

nlohmann::json event_value(const SseEvent& event) {
  if (auto parsed = parse_json(event.data)) return std::move(*parsed);
  return valid_utf8(event.data);
}

}  // namespace

std::vector<SseEvent> parse_event_stream(std::string_view body, bool truncated) {
  std::vector<SseEvent> events;
  SseEvent pending;
  bool has_data = false;
  const auto dispatch = [&] {
    // An event with no data line is not dispatched (the spec resets it).
    if (has_data) events.push_back(std::move(pending));
    pending = SseEvent{};
    has_data = false;
  };
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  std::size_t pos = 0;
  while (pos < body.size()) {
    // Lines end with CRLF, LF or CR.
    std::size_t end = body.find_first_of("\r\n", pos);
    const bool last_line_unterminated = end == std::string_view::npos;
    if (last_line_unterminated) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end;
    if (pos < body.size()) pos += (body[pos] == '\r' && pos + 1 < body.size() && body[pos + 1] == '\n') ? 2 : 1;
    if (last_line_unterminated && truncated) break;  // a cut line is not a line

    if (line.empty()) {
      dispatch();
      continue;
    }
    if (line.front() == ':') continue;  // comment
    const std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    if (field == "data") {
      if (has_data) pending.data += '\n';
      pending.data.append(value);
      has_data = true;
    } else if (field == "event") {
      pending.name = value.empty() ? "message" : std::string(value);
    }
    // id, retry and unknown fields are not part of the payload.
  }
  if (!truncated) dispatch();
  return events;
}

void diff_event_streams(const EventStream& legacy, const EventStream& candidate, const JsonDiffOptions& options,
                        const DifferenceSink& sink) {
  std::size_t legacy_count = legacy.events.size(), candidate_count = candidate.events.size();
  // A truncated side may have had more events: compare only what both hold, unless the complete side
  // already has fewer events than the truncated one showed.
  if (legacy.truncated && !candidate.truncated) {
    if (candidate_count >= legacy_count) candidate_count = legacy_count;
  } else if (candidate.truncated && !legacy.truncated) {
    if (legacy_count >= candidate_count) legacy_count = candidate_count;
  } else if (legacy.truncated && candidate.truncated) {
    legacy_count = candidate_count = std::min(legacy_count, candidate_count);
  }

  nlohmann::json legacy_doc = {{"events", nlohmann::json::array()}};
  nlohmann::json candidate_doc = {{"events", nlohmann::json::array()}};
  for (std::size_t i = 0; i < legacy_count; ++i) legacy_doc["events"].push_back(event_value(legacy.events[i]));
  for (std::size_t i = 0; i < candidate_count; ++i) {
    candidate_doc["events"].push_back(event_value(candidate.events[i]));
  }
  diff_json(legacy_doc, candidate_doc, options, sink);

  const std::size_t common = std::min(legacy_count, candidate_count);
  for (std::size_t i = 0; i < common; ++i) {
    if (legacy.events[i].name == candidate.events[i].name) continue;
    std::vector<std::string> tokens{"event_names", std::to_string(i)};
    if (any_covers(options.ignore, tokens)) continue;
    sink(Difference{"/event_names/" + std::to_string(i), DiffKind::value,
                    valid_utf8(legacy.events[i].name), valid_utf8(candidate.events[i].name), Explained::none});
  }
}

}  // namespace parity::compare
