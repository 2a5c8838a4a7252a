#pragma once
// Plain HTTP values that travel the data path (gateway -> shadow -> compare -> store).
// No library types here: gateway/ converts Beast/httplib messages at its edge.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parity {

using Header = std::pair<std::string, std::string>;
// Order and duplicates are preserved exactly as received.
using Headers = std::vector<Header>;

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view trim_ows(std::string_view s);

// First header with this name (case-insensitive), if any.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent by the client
  Headers headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;             // possibly only a bounded prefix of the body
  bool body_truncated = false;  // true when `body` holds only a prefix
};

}  // namespace parity
