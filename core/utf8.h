#pragma once
// UTF-8 validity, to decide whether bytes can be written into JSON as a string (nlohmann::json
// throws on invalid UTF-8 when dumping) or must be base64-encoded.
#include <string_view>

namespace parity {

bool is_valid_utf8(std::string_view bytes);

}  // namespace parity
