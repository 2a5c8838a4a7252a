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

// The field a pointer belongs to: every all-digit token (an array index) becomes "*", so /data/3/id and
// /data/7/id are both the field /data/*/id — a pointer glob (compare/pointer_glob.h) that matches them.
// What is not a JSON Pointer ("status", "header:<name>") is its own field.
std::string field_of(std::string_view pointer);

}  // namespace parity::compare
