#pragma once
// Turning a response body into comparable text: undo Content-Encoding (gzip, deflate, br, identity, in
// the reverse order of listing) and convert the charset of Content-Type to UTF-8.
//
// Charsets: utf-8 (the default, and what JSON always is), iso-8859-1/latin1, us-ascii, windows-1252 and
// utf-16 (BOM, else big-endian; utf-16le/be) are converted. Any other charset leaves the bytes as they are
// and marks the body `opaque`: it is compared byte for byte, never parsed.
// A truncated body (HttpResponse::body_truncated) decodes to the prefix that could be decoded.
#include <cstddef>
#include <string>

#include "core/http_message.h"

namespace parity::compare {

// Decompression stops with an error beyond this many bytes (a 1 MiB gzip bomb can expand 1000x).
inline constexpr std::size_t kMaxDecodedBytes = 64u << 20;

struct DecodedBody {
  std::string text;        // the decoded body: UTF-8 unless `opaque`; the raw bytes when `error` is set
  std::string media_type;  // lower-case "type/subtype" of Content-Type without parameters; "" if absent
  bool opaque = false;     // unknown charset: compare bytes only
  bool truncated = false;  // only a prefix of the body was received
  std::string error;       // why decoding failed, "" when it did not
};

DecodedBody decode_body(const HttpResponse& response, std::size_t max_decoded_bytes = kMaxDecodedBytes);

// "application/json", "application/problem+json", "text/json" and the like.
bool is_json_media_type(std::string_view media_type);

// The parameter `name` (lower-case) of a Content-Type value, unquoted; "" when absent.
std::string content_type_parameter(std::string_view content_type, std::string_view name);

// The lower-case media type of a Content-Type value, without parameters.
std::string media_type_of(std::string_view content_type);

}  // namespace parity::compare
