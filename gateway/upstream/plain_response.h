#pragma once
// Converts at the edge: a Beast response head (+ captured body) into Parity's plain HttpResponse.
#include <string>

#include "core/http_message.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::upstream {

HttpResponse to_plain(const ResponseHead& head, std::string body, bool truncated);

}  // namespace parity::upstream
