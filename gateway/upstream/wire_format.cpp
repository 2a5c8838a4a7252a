#include "gateway/upstream/wire_format.h"

#include <charconv>

namespace parity::upstream {
namespace {

void append_version(std::string& out, unsigned version) {
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
}

void append_fields(std::string& out, const http::fields& fields) {
  for (const auto& field : fields) append_field(out, sv(field.name_string()), sv(field.value()));
  out += kCrlf;
}

}  // namespace

void append_request_line(std::string& out, beast::string_view method, std::string_view target, unsigned version) {
  out += sv(method);
  out += ' ';
  out += target;
  out += ' ';
  append_version(out, version);
  out += kCrlf;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += kCrlf;
}

void append_request_head(std::string& out, const http::request_header<>& head) {
  append_request_line(out, head.method_string(), sv(head.target()), head.version());
  append_fields(out, head);
}

void append_response_head(std::string& out, const http::response_header<>& head) {
  append_version(out, head.version());
  out += ' ';
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, head.result_int());
  (void)ec;
  out.append(digits, end);
  out += ' ';
  out += sv(head.reason());  // the stored phrase, or the standard one when the backend sent none
  out += kCrlf;
  append_fields(out, head);
}

std::string_view append_body_framing(std::string& out, bool chunked, std::size_t body_size) {
  if (!chunked) return {};
  if (body_size == 0) return kLastChunk;
  append_chunk_size(out, body_size);
  return "\r\n0\r\n\r\n";
}

void append_chunk_size(std::string& out, std::size_t size) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, size, 16);
  (void)ec;
  out.append(digits, end);
  out += kCrlf;
}

}  // namespace parity::upstream
