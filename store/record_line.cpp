#include "store/record_line.h"

#include <charconv>
#include <string_view>

namespace parity::store {
namespace {

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Printable ASCII other than the quote and the backslash: what nlohmann copies as is.
bool needs_no_escaping(std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_string(std::string& out, std::string_view s) {
  if (needs_no_escaping(s)) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
  } else {
    out += dump(nlohmann::json(std::string(s)));
  }
}

template <class Integer>
void append_integer(std::string& out, Integer value) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, end);
}

// A member after the first: ,"key":
void key(std::string& out, std::string_view name) {
  out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":");
}

void string_member(std::string& out, std::string_view name, std::string_view value) {
  key(out, name);
  append_string(out, value);
}

void append_side(std::string& out, const SideSummary& side) {
  out.append("{\"bytes\":");
  append_integer(out, side.bytes);
  if (!side.error.empty()) string_member(out, "error", side.error);
  key(out, "latency_ms");
  out += dump(nlohmann::json(side.latency_ms));  // nlohmann's shortest round-trip form, "null" for NaN
  key(out, "status");
  append_integer(out, side.status);
  out.push_back('}');
}

void append_differences(std::string& out, const std::vector<compare::Difference>& differences) {
  if (differences.empty()) {
    out.append("[]");
    return;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : differences) list.push_back(compare::to_json(d));
  out += dump(list);
}

}  // namespace

void append_record_line(std::string& out, const Record& r) {
  // Keys in the order nlohmann's std::map keeps them (byte order), as to_json(r).dump() writes them.
  out.append("{\"candidate\":");
  append_side(out, r.candidate);
  key(out, "differences");
  append_differences(out, r.differences);
  if (!r.instance.empty()) string_member(out, "instance", r.instance);
  key(out, "legacy");
  append_side(out, r.legacy);
  string_member(out, "method", r.method);
  string_member(out, "request_id", r.request_id);
  string_member(out, "route", r.route);
  if (r.sample) {
    key(out, "sample");
    out += dump(*r.sample);
  }
  string_member(out, "served_by", r.served_by);
  string_member(out, "target", r.target);
  string_member(out, "ts", r.ts);
  string_member(out, "verdict", compare::to_string(r.verdict));
  out.push_back('}');
}

}  // namespace parity::store
