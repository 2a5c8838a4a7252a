#pragma once
// HTTP/1.1 message heads and chunk framing written straight into a reusable string.
// Why not Beast's serializer: it presents a head as a long buffers_cat of small pieces, and walking that
// sequence through asio::ssl (or writev) cost about a fifth of the gateway's CPU per request. One flat
// buffer, written together with the first body piece, is one TLS record and one syscall.
#include <string>
#include <string_view>

#include "gateway/asio.h"

namespace parity::upstream {

// "METHOD target HTTP/x.y\r\n" + every field in order + "\r\n".
void append_request_head(std::string& out, const http::request_header<>& head);
// Its pieces: "METHOD target HTTP/x.y\r\n", and "name: value\r\n" (the head ends with a bare kCrlf).
void append_request_line(std::string& out, beast::string_view method, std::string_view target, unsigned version);
void append_field(std::string& out, std::string_view name, std::string_view value);
// "HTTP/x.y status reason\r\n" + every field in order + "\r\n" (the backend's reason phrase is kept).
void append_response_head(std::string& out, const http::response_header<>& head);
// "<hex size>\r\n", the start of one chunk of a chunked body.
void append_chunk_size(std::string& out, std::size_t size);
// A request body goes out as it is or, for a request marked chunked, as one chunk: appends to `out`
// what comes between the head and the body (a chunk's size line) and returns what comes after the body
// ("" unchunked; "\r\n0\r\n\r\n"; for an empty chunked body the last chunk alone).
std::string_view append_body_framing(std::string& out, bool chunked, std::size_t body_size);

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace parity::upstream
