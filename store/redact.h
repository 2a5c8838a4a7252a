#pragma once
// Secrets never reach a record or a log: header values that carry credentials are replaced.
#include <string>
#include <string_view>
#include <vector>

#include "core/http_message.h"

namespace parity::store {

inline constexpr std::string_view kRedacted = "[redacted]";

// True for Authorization, Proxy-Authorization, Cookie, Set-Cookie and the `extra` names
// (the config's store.redact_headers), compared case-insensitively.
bool is_secret_header(std::string_view name, const std::vector<std::string>& extra);

// A copy of `headers` in the same order, with every secret header's value replaced by "[redacted]".
Headers redact_headers(const Headers& headers, const std::vector<std::string>& extra);

}  // namespace parity::store
