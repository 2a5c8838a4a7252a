#include "gateway/upstream/plain_response.h"

namespace parity::upstream {

HttpResponse to_plain(const ResponseHead& head, std::string body, bool truncated) {
  HttpResponse out;
  out.status = static_cast<int>(head.result_int());
  for (const auto& field : head) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(body);
  out.body_truncated = truncated;
  return out;
}

}  // namespace parity::upstream
