// libFuzzer target: the pointer-glob matcher. Input: a glob, a newline, then a JSON Pointer (or
// "status" / "header:<name>"). Parsing never crashes, and what a glob matches it also covers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compare/json_pointer.h"
#include "compare/pointer_glob.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  std::string_view glob_text = input.substr(0, newline);
  std::string_view pointer = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  std::string error;
  auto glob = parity::compare::PointerGlob::parse(glob_text, error);
  if (!glob) {
    if (error.empty()) __builtin_trap();  // a rejected glob always says why
    return 0;
  }
  bool matches = glob->matches(pointer);
  bool covers = glob->covers(pointer);
  if (matches && !covers) __builtin_trap();
  if (auto tokens = parity::compare::split_pointer(pointer)) {
    if (glob->matches(*tokens) && !glob->covers(*tokens)) __builtin_trap();
    // The string and token forms agree on JSON Pointers.
    if (glob->matches(*tokens) != matches) __builtin_trap();
  }
  return 0;
}
