#pragma once
// A request held in its wire form: head and body in one buffer, sent as it is. The mirror keeps its
// copy of a request this way while the shadow takes its time: one allocation, where a message copy is
// one per header — and a shadow answering in 200 ms has hundreds of copies waiting, each freed cold.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/asio.h"

namespace parity::upstream {

struct WireRequest {
  http::verb method = http::verb::get;
  std::string bytes;
};

// A header to set on the copy: any field of that name (case-insensitive) in the original is left out,
// and this one is added after the others (as Beast's set() would).
using HeaderOverride = std::pair<std::string_view, std::string_view>;

// `request` as it would be sent (head, then the body; a chunked one as one chunk), with `target` as its
// request target and `overrides` set.
WireRequest to_wire(const http::request<http::string_body>& request, std::string_view target,
                    std::initializer_list<HeaderOverride> overrides = {});

}  // namespace parity::upstream
