#include "store/traffic_file.h"

#include <fstream>

#include "core/base64.h"
#include "core/time_format.h"
#include "core/utf8.h"

namespace parity::store {
namespace {

using Json = nlohmann::json;

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool has_control_chars(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

bool read_headers(const Json& value, Headers& out, std::string& error) {
  auto add = [&](const std::string& name, const Json& v) {
    if (!v.is_string()) {
      error = "header \"" + name + "\" must have a string value";
      return false;
    }
    const auto& text = v.get_ref<const std::string&>();
    if (!is_token(name) || has_control_chars(text)) {
      error = "header \"" + name + "\" is not a valid HTTP header";
      return false;
    }
    out.emplace_back(name, text);
    return true;
  };
  if (value.is_object()) {
    for (const auto& [name, v] : value.items()) {
      if (!add(name, v)) return false;
    }
    return true;
  }
  if (value.is_array()) {
    for (const auto& pair : value) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string()) {
        error = "headers must be an object or a list of [name, value] pairs";
        return false;
      }
      if (!add(pair[0].get<std::string>(), pair[1])) return false;
    }
    return true;
  }
  error = "headers must be an object or a list of [name, value] pairs";
  return false;
}

const Json* field(const Json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

bool read_string(const Json& object, const char* name, std::string& out, std::string& error) {
  const Json* v = field(object, name);
  if (!v) return true;
  if (!v->is_string()) {
    error = std::string("\"") + name + "\" must be a string";
    return false;
  }
  out = v->get<std::string>();
  return true;
}

}  // namespace

std::optional<TrafficRequest> parse_traffic_line(std::string_view line, std::string& error) {
  Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  if (!object.is_object()) {
    error = "each line must be a JSON object";
    return std::nullopt;
  }
  TrafficRequest out;
  const Json* method = field(object, "method");
  if (!method || !method->is_string() || !is_token(method->get_ref<const std::string&>())) {
    error = "\"method\" is required and must be an HTTP method token";
    return std::nullopt;
  }
  out.request.method = method->get<std::string>();
  const Json* path = field(object, "path");
  if (!path || !path->is_string() || !path->get_ref<const std::string&>().starts_with('/') ||
      has_control_chars(path->get_ref<const std::string&>()) ||
      path->get_ref<const std::string&>().find(' ') != std::string::npos) {
    error = "\"path\" is required and must start with / (path and query, no spaces)";
    return std::nullopt;
  }
  out.request.target = path->get<std::string>();
  if (const Json* headers = field(object, "headers"); headers && !read_headers(*headers, out.request.headers, error)) {
    return std::nullopt;
  }
  const Json* body = field(object, "body");
  const Json* body_b64 = field(object, "body_b64");
  if (body && body_b64) {
    error = "give either \"body\" or \"body_b64\", not both";
    return std::nullopt;
  }
  if (body_b64) {
    auto decoded = body_b64->is_string() ? base64_decode(body_b64->get_ref<const std::string&>()) : std::nullopt;
    if (!decoded) {
      error = "\"body_b64\" is not valid base64";
      return std::nullopt;
    }
    out.request.body = std::move(*decoded);
  } else if (body) {
    if (body->is_string()) {
      out.request.body = body->get<std::string>();
    } else {
      out.request.body = body->dump();
      if (!find_header(out.request.headers, "content-type")) {
        out.request.headers.emplace_back("content-type", "application/json");
      }
    }
  }
  if (const Json* weight = field(object, "weight")) {
    if (!weight->is_number() || !(weight->get<double>() > 0)) {
      error = "\"weight\" must be a number > 0";
      return std::nullopt;
    }
    out.weight = weight->get<double>();
  }
  if (!read_string(object, "name", out.name, error) || !read_string(object, "client", out.client, error) ||
      !read_string(object, "route", out.route, error) ||
      !read_string(object, "request_id", out.request_id, error)) {
    return std::nullopt;
  }
  if (const Json* ts = field(object, "ts")) {
    auto parsed = ts->is_string() ? parse_rfc3339(ts->get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) {
      error = "\"ts\" must be an RFC 3339 time like 2026-11-25T18:37:20.123Z";
      return std::nullopt;
    }
    out.ts = parsed;
  }
  if (const Json* truncated = field(object, "body_truncated")) {
    if (!truncated->is_boolean()) {
      error = "\"body_truncated\" must be true or false";
      return std::nullopt;
    }
    out.body_truncated = truncated->get<bool>();
  }
  return out;
}

nlohmann::json traffic_to_json(const TrafficRequest& request) {
  Json out = Json::object();
  if (request.ts) out["ts"] = format_rfc3339_ms(*request.ts);
  if (!request.request_id.empty()) out["request_id"] = request.request_id;
  if (!request.client.empty()) out["client"] = request.client;
  if (!request.route.empty()) out["route"] = request.route;
  if (!request.name.empty()) out["name"] = request.name;
  out["method"] = request.request.method;
  out["path"] = request.request.target;
  Json headers = Json::array();
  for (const auto& [name, value] : request.request.headers) {
    // A header value that is not UTF-8 cannot be a JSON string; it is replaced rather than lost silently.
    headers.push_back(Json::array({name, is_valid_utf8(value) ? value : std::string("<non-utf8>")}));
  }
  out["headers"] = std::move(headers);
  if (!request.request.body.empty()) {
    if (is_valid_utf8(request.request.body)) {
      out["body"] = request.request.body;
    } else {
      out["body_b64"] = base64_encode(request.request.body);
    }
  }
  if (request.body_truncated) out["body_truncated"] = true;
  if (request.weight != 1.0) out["weight"] = request.weight;
  return out;
}

TrafficFile read_traffic_file(const std::filesystem::path& path) {
  TrafficFile out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.errors.push_back(path.string() + ": cannot be read");
    return out;
  }
  out.ok = true;
  std::string line;
  std::uint64_t number = 0;
  constexpr std::size_t kMaxReportedErrors = 20;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string error;
    if (auto request = parse_traffic_line(line, error)) {
      out.requests.push_back(std::move(*request));
    } else {
      ++out.malformed;
      if (out.errors.size() < kMaxReportedErrors) {
        out.errors.push_back(path.string() + ":" + std::to_string(number) + ": " + error);
      }
    }
  }
  if (in.bad()) {
    out.ok = false;
    out.errors.push_back(path.string() + ": read error");
  }
  return out;
}

}  // namespace parity::store
