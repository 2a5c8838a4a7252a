#include "store/redact.h"

#include <algorithm>
#include <array>

namespace parity::store {
namespace {

constexpr std::array<std::string_view, 4> kSecretHeaders = {"authorization", "proxy-authorization", "cookie",
                                                            "set-cookie"};

}  // namespace

bool is_secret_header(std::string_view name, const std::vector<std::string>& extra) {
  const auto same = [name](std::string_view secret) { return iequals(name, secret); };
  return std::any_of(kSecretHeaders.begin(), kSecretHeaders.end(), same) ||
         std::any_of(extra.begin(), extra.end(), same);
}

Headers redact_headers(const Headers& headers, const std::vector<std::string>& extra) {
  Headers out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    out.emplace_back(name, is_secret_header(name, extra) ? std::string(kRedacted) : value);
  }
  return out;
}

}  // namespace parity::store
