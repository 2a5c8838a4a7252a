#include "compare/json_pointer.h"

#include <algorithm>

namespace parity::compare {

std::string escape_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void append_token(std::string& pointer, std::string_view token) {
  pointer += '/';
  pointer += escape_token(token);
}

std::optional<std::vector<std::string>> split_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  std::string current;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (pointer[i] == '~') {
      if (i + 1 >= pointer.size()) return std::nullopt;
      char next = pointer[++i];
      if (next == '0') {
        current += '~';
      } else if (next == '1') {
        current += '/';
      } else {
        return std::nullopt;
      }
      continue;
    }
    current += pointer[i];
  }
  return tokens;
}

std::string field_of(std::string_view pointer) {
  auto tokens = split_pointer(pointer);
  if (!tokens) return std::string(pointer);
  std::string field;
  for (const auto& token : *tokens) {
    const bool index = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
    append_token(field, index ? "*" : token);
  }
  return field;
}

}  // namespace parity::compare
