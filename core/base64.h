#pragma once
// Standard base64 (RFC 4648, with padding) for binary bodies in JSON files (captures, traffic mixes).
// Written by hand: ~40 lines, and the alternatives (OpenSSL EVP_DecodeBlock, Beast's detail header)
// either return padding bytes as data or are not public API.
#include <optional>
#include <string>
#include <string_view>

namespace parity {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64 (whitespace is not accepted either).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace parity
