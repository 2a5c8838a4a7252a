#include "compare/compare.h"

#include <algorithm>
#include <optional>

#include "compare/decode.h"
#include "compare/error_format.h"
#include "compare/excerpt.h"
#include "compare/json_diff.h"
#include "compare/json_parse.h"
#include "compare/pointer_glob.h"
#include "compare/sse.h"

namespace parity::compare {
namespace {

using nlohmann::json;

bool is_body_kind(DiffKind kind) {
  switch (kind) {
    case DiffKind::value:
    case DiffKind::type:
    case DiffKind::missing:
    case DiffKind::extra:
    case DiffKind::array_length:
    case DiffKind::body: return true;
    default: return false;
  }
}

// Turns raw differences into the Comparison: drops ignored ones, explains the rest, keeps a bounded list
// and decides the verdict from all of them.
class Collector {
 public:
  Collector(const std::vector<PointerGlob>& ignore, const std::vector<PointerGlob>& noise_fields,
            const NoiseLearner* learner, std::string_view route)
      : ignore_(ignore), noise_fields_(noise_fields), learner_(learner), route_(route) {}

  void explain_body_by_error_format() { body_error_format_ = true; }

  void add(Difference&& d, bool status_explained = false) {
    // Body differences were filtered by the diff engine already; this covers status, headers and bodies.
    if (any_covers(ignore_, d.pointer)) return;
    if ((body_error_format_ && is_body_kind(d.kind)) || status_explained) {
      d.explained = Explained::error_format;
    } else if (d.kind != DiffKind::shadow_error && any_covers(noise_fields_, d.pointer)) {
      d.explained = Explained::noise;
    } else if (learner_ != nullptr && (is_body_kind(d.kind) || d.kind == DiffKind::header) &&
               learner_->is_noise(route_, d.pointer)) {
      d.explained = Explained::noise;
    }
    tally(d);
    keep(std::move(d));
  }

  Comparison finish() && {
    out_.verdict = shadow_error_ ? Verdict::error
                   : unexplained_ ? Verdict::mismatch
                   : error_format_ ? Verdict::expected
                                   : Verdict::match;
    return std::move(out_);
  }

 private:
  void tally(const Difference& d) {
    if (d.kind == DiffKind::shadow_error) shadow_error_ = true;
    if (d.explained == Explained::none) unexplained_ = true;
    if (d.explained == Explained::error_format) error_format_ = true;
  }

  void keep(Difference&& d) {
    auto& list = out_.differences;
    if (list.size() < kMaxDifferences) {
      list.push_back(std::move(d));
      return;
    }
    ++out_.omitted;
    if (d.explained != Explained::none) return;
    // Make room for the unexplained one by dropping the last explained one, if any.
    auto explained = std::find_if(list.rbegin(), list.rend(),
                                  [](const Difference& x) { return x.explained != Explained::none; });
    if (explained == list.rend()) return;
    list.erase(std::next(explained).base());
    list.push_back(std::move(d));
  }

  const std::vector<PointerGlob>& ignore_;
  const std::vector<PointerGlob>& noise_fields_;
  const NoiseLearner* learner_;
  std::string_view route_;
  bool body_error_format_ = false;
  bool shadow_error_ = false, unexplained_ = false, error_format_ = false;
  Comparison out_;
};

// All values of a header, joined as a list ("a, b"), or nullopt when absent.
std::optional<std::string> header_value(const Headers& headers, std::string_view name) {
  std::optional<std::string> value;
  for (const auto& [key, v] : headers) {
    if (!iequals(key, name)) continue;
    if (value) {
      *value += ", ";
      *value += v;
    } else {
      value = v;
    }
  }
  return value;
}

// Content-Type by meaning: case-insensitive type and parameter names, optional whitespace and quotes
// ignored, and for JSON, charset=utf-8 is the same as no charset (JSON is always UTF-8).
std::string normalize_content_type(std::string_view value) {
  const std::string media = media_type_of(value);
  std::string out = media;
  std::string_view rest = value.find(';') == std::string_view::npos ? "" : value.substr(value.find(';') + 1);
  while (!rest.empty()) {
    const std::size_t semicolon = rest.find(';');
    std::string_view parameter = trim_ows(rest.substr(0, semicolon));
    rest = semicolon == std::string_view::npos ? "" : rest.substr(semicolon + 1);
    const std::size_t equals = parameter.find('=');
    if (parameter.empty() || equals == std::string_view::npos) continue;
    const std::string name = to_lower(trim_ows(parameter.substr(0, equals)));
    std::string_view raw = trim_ows(parameter.substr(equals + 1));
    if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = raw.substr(1, raw.size() - 2);
    std::string parameter_value = name == "charset" ? to_lower(raw) : std::string(raw);
    if (name == "charset" && (parameter_value == "utf8")) parameter_value = "utf-8";
    if (name == "charset" && parameter_value == "utf-8" && is_json_media_type(media)) continue;
    out += ';' + name + '=' + parameter_value;
  }
  return out;
}

bool header_values_equal(std::string_view name, std::string_view a, std::string_view b) {
  if (name == "content-type") return normalize_content_type(a) == normalize_content_type(b);
  return trim_ows(a) == trim_ows(b);
}

void compare_headers(const HttpResponse& legacy, const HttpResponse& candidate, const Rules& rules,
                     Collector& out) {
  for (const auto& configured : rules.headers) {
    const std::string name = to_lower(configured);
    auto a = header_value(legacy.headers, name);
    auto b = header_value(candidate.headers, name);
    if (!a && !b) continue;
    if (a && b && header_values_equal(name, *a, *b)) continue;
    out.add(Difference{"header:" + name, DiffKind::header, a ? json(valid_utf8(*a)) : json(),
                       b ? json(valid_utf8(*b)) : json(), Explained::none});
  }
}

// Byte comparison that tolerates truncation: a truncated side is only known up to its length.
bool texts_differ(std::string_view a, bool a_truncated, std::string_view b, bool b_truncated) {
  if (!a_truncated && !b_truncated) return a != b;
  const std::size_t n = std::min(a.size(), b.size());
  if (a.substr(0, n) != b.substr(0, n)) return true;
  if (!a_truncated && a.size() < b.size()) return true;  // complete, and shorter than the seen prefix
  if (!b_truncated && b.size() < a.size()) return true;
  return false;
}

Difference body_difference(std::string_view legacy, std::string_view candidate) {
  auto [a, b] = bounded_text_pair(legacy, candidate);
  return Difference{"", DiffKind::body, std::move(a), std::move(b), Explained::none};
}

json decode_failure(const DecodedBody& body, std::size_t raw_bytes) {
  if (body.error.empty()) return bounded_value(json(valid_utf8(body.text)));
  return {{"decode_error", body.error}, {"bytes", raw_bytes}};
}

struct Body {
  DecodedBody decoded;
  std::optional<json> parsed;
};

Body read_body(const HttpResponse& response) {
  Body body{decode_body(response), std::nullopt};
  if (body.decoded.error.empty() && !body.decoded.opaque) body.parsed = parse_json(body.decoded.text);
  return body;
}

bool is_event_stream(const DecodedBody& body) {
  return body.error.empty() && !body.opaque && body.media_type == "text/event-stream";
}

void compare_bodies(const HttpResponse& legacy, const HttpResponse& candidate, const Body& a, const Body& b,
                    const JsonDiffOptions& options, Collector& out) {
  const auto sink = [&](Difference&& d) { out.add(std::move(d)); };
  if (!a.decoded.error.empty() || !b.decoded.error.empty()) {
    // Both undecodable and byte-identical: the same response, whatever it is.
    if (!a.decoded.error.empty() && !b.decoded.error.empty() && legacy.body == candidate.body) return;
    out.add(Difference{"", DiffKind::body, decode_failure(a.decoded, legacy.body.size()),
                       decode_failure(b.decoded, candidate.body.size()), Explained::none});
    return;
  }
  if (is_event_stream(a.decoded) && is_event_stream(b.decoded)) {
    diff_event_streams({parse_event_stream(a.decoded.text, a.decoded.truncated), a.decoded.truncated},
                       {parse_event_stream(b.decoded.text, b.decoded.truncated), b.decoded.truncated}, options,
                       sink);
    return;
  }
  if (a.parsed && b.parsed) {
    diff_json(*a.parsed, *b.parsed, options, sink);
    return;
  }
  const bool one_is_json = a.parsed.has_value() != b.parsed.has_value();
  if (one_is_json && !a.decoded.truncated && !b.decoded.truncated) {
    out.add(body_difference(a.decoded.text, b.decoded.text));
    return;
  }
  if (texts_differ(a.decoded.text, a.decoded.truncated, b.decoded.text, b.decoded.truncated)) {
    out.add(body_difference(a.decoded.text, b.decoded.text));
  }
}

}  // namespace

namespace {

// Byte-identical responses (same status, same compared headers and encoding, same body bytes) cannot
// differ after decoding: the common case under parity skips parsing both bodies.
bool identical(const HttpResponse& legacy, const HttpResponse& candidate, const Rules& rules) {
  if (legacy.status != candidate.status || legacy.body_truncated != candidate.body_truncated ||
      legacy.body != candidate.body) {
    return false;
  }
  auto values = [](const Headers& headers, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& [key, value] : headers) {
      if (iequals(key, name)) out.push_back(value);
    }
    return out;
  };
  auto same_header = [&](std::string_view name) { return values(legacy.headers, name) == values(candidate.headers, name); };
  if (!same_header("content-encoding") || !same_header("content-type")) return false;
  return std::all_of(rules.headers.begin(), rules.headers.end(), [&](const std::string& h) { return same_header(h); });
}

}  // namespace

Comparison compare_responses(const HttpResponse& legacy, const HttpResponse& candidate, const Rules& rules,
                             std::string_view route, const NoiseLearner* noise) {
  if (identical(legacy, candidate, rules)) return Comparison{};
  JsonDiffOptions options;
  options.number_tolerance = rules.number_tolerance;
  options.ignore = parse_globs(rules.ignore);
  options.unordered = parse_globs(rules.unordered);
  options.volatile_fields = parse_globs(rules.noise.fields);
  Collector out(options.ignore, options.volatile_fields, noise, route);

  const Body a = read_body(legacy);
  const Body b = read_body(candidate);
  const ErrorFormat* format = nullptr;
  if (a.parsed && b.parsed) {
    if (auto index = find_error_format(rules.error_formats, *a.parsed, *b.parsed, legacy.status, candidate.status)) {
      format = &rules.error_formats[*index];
      out.explain_body_by_error_format();
    }
  }

  if (legacy.status != candidate.status) {
    const bool mapped = format != nullptr && explains_status(*format, legacy.status, candidate.status);
    out.add(Difference{"status", DiffKind::status, legacy.status, candidate.status, Explained::none}, mapped);
  }
  compare_headers(legacy, candidate, rules, out);
  compare_bodies(legacy, candidate, a, b, options, out);
  return std::move(out).finish();
}

Comparison shadow_failed(std::string_view side, std::string_view error) {
  json message = valid_utf8(error);
  const bool legacy = side == "legacy";
  Comparison c;
  c.differences.push_back(Difference{"", DiffKind::shadow_error, legacy ? message : json(),
                                     legacy ? json() : message, Explained::none});
  c.verdict = Verdict::error;
  return c;
}

Verdict verdict_of(const std::vector<Difference>& differences) {
  bool unexplained = false, error_format = false;
  for (const auto& d : differences) {
    if (d.kind == DiffKind::shadow_error) return Verdict::error;
    if (d.explained == Explained::none) unexplained = true;
    if (d.explained == Explained::error_format) error_format = true;
  }
  return unexplained ? Verdict::mismatch : error_format ? Verdict::expected : Verdict::match;
}

json to_json(const Comparison& comparison) {
  json differences = json::array();
  for (const auto& d : comparison.differences) differences.push_back(to_json(d));
  return {{"verdict", to_string(comparison.verdict)},
          {"differences", std::move(differences)},
          {"omitted", comparison.omitted}};
}

}  // namespace parity::compare
