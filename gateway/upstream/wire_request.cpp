#include "gateway/upstream/wire_request.h"

#include "gateway/upstream/wire_format.h"

namespace parity::upstream {

WireRequest to_wire(const http::request<http::string_body>& request, std::string_view target,
                    std::initializer_list<HeaderOverride> overrides) {
  WireRequest out;
  out.method = request.method();
  const auto& body = request.body();
  auto& bytes = out.bytes;
  bytes.reserve(512 + body.size());
  append_request_line(bytes, request.method_string(), target, request.version());
  for (const auto& field : request.base()) {
    bool overridden = false;
    for (const auto& [name, value] : overrides) overridden = overridden || beast::iequals(field.name_string(), bsv(name));
    if (!overridden) append_field(bytes, sv(field.name_string()), sv(field.value()));
  }
  for (const auto& [name, value] : overrides) append_field(bytes, name, value);
  bytes += kCrlf;
  const std::string_view tail = append_body_framing(bytes, request.chunked(), body.size());
  bytes += body;
  bytes += tail;
  return out;
}

}  // namespace parity::upstream
