#pragma once
// Server-sent event streams (text/event-stream), parsed as the WHATWG HTML spec says, and compared as a
// sequence of events.
//
// Each event is compared by its data: parsed as JSON when it is JSON ("[DONE]" stays a string), so the
// pointer of a field is /events/<n>/<path in the data>, e.g. /events/3/choices/0/delta/content. Event
// names (`event:`) that differ are `value` differences at /event_names/<n>. `id:` and `retry:` are
// reconnection hints, not payload, and are not compared; comments (":" lines) are skipped.
// A different number of events is an `array_length` difference at /events, plus the differences of the
// common prefix. When a side is truncated, only the events it holds completely are compared, and a
// length difference is reported only when it is certain (the complete side has fewer events).
#include <string>
#include <string_view>
#include <vector>

#include "compare/json_diff.h"

namespace parity::compare {

struct SseEvent {
  std::string name = "message";
  std::string data;  // data lines joined by "\n"
};

// The dispatched events of `body`. A final event without its blank line is kept when the body is
// complete (servers often omit it) and dropped when it is truncated (it may be cut short).
std::vector<SseEvent> parse_event_stream(std::string_view body, bool truncated);

struct EventStream {
  std::vector<SseEvent> events;
  bool truncated = false;
};

// Differences between two event streams, through `sink`, as described above.
void diff_event_streams(const EventStream& legacy, const EventStream& candidate, const JsonDiffOptions& options,
                        const DifferenceSink& sink);

}  // namespace parity::compare
