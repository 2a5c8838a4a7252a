#pragma once
// base64url without padding (RFC 4648 §5), as used by JWTs. Written by hand: OpenSSL's EVP base64
// speaks only the standard alphabet with padding.
#include <optional>
#include <string>
#include <string_view>

namespace parity::gateway::protect {

std::string base64url_encode(std::string_view bytes);
// nullopt on a character outside the alphabet, padding, or an impossible length (4n+1).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace parity::gateway::protect
