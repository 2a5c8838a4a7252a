#pragma once
// RFC 6901 JSON Pointers: "" is the whole document, "/a/0/b~1c" is a.0."b/c".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parity::compare {

// Escapes one reference token: "~" becomes "~0" and "/" becomes "~1".
std::string escape_token(std::string_view token);

// Appends "/" + the escaped token to `pointer`.
void append_token(std::string& pointer, std::string_view token);

// The unescaped reference tokens of `pointer`; nullopt when it is not a JSON Pointer (it does not start
// with "/" and is not "", or a "~" is not followed by 0 or 1).
std::optional<std::vector<std::string>> split_pointer(std::string_view pointer);

}  // namespace parity::compare
