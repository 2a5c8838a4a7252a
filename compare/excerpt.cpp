#include "compare/excerpt.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace parity::compare {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool is_continuation(std::string_view s, std::size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

// s[from, from + length), widened or narrowed so that no multi-byte character is cut.
std::string_view char_aligned(std::string_view s, std::size_t from, std::size_t length) {
  from = std::min(from, s.size());
  while (from > 0 && is_continuation(s, from)) --from;
  std::size_t to = std::min(s.size(), from + length);
  while (to > from && to < s.size() && is_continuation(s, to)) --to;
  return s.substr(from, to - from);
}

nlohmann::json excerpt_object(std::string_view text, std::size_t from) {
  std::string_view part = char_aligned(text, from, kExcerptBytes);
  const std::size_t offset = static_cast<std::size_t>(part.data() - text.data());
  return {{"excerpt", valid_utf8(part)},
          {"offset", offset},
          {"bytes", text.size()},
          {"fnv1a64", fnv1a64_hex(text)}};
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string fnv1a64_hex(std::string_view bytes) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  return buffer;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json bounded_value(const nlohmann::json& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() <= kMaxValueBytes) return valid_utf8(text);
    return excerpt_object(text, 0);
  }
  if (!value.is_structured()) return value;
  std::string text = dump_json(value);
  if (text.size() <= kMaxValueBytes) return value;
  return excerpt_object(text, 0);
}

std::pair<nlohmann::json, nlohmann::json> bounded_text_pair(std::string_view legacy, std::string_view candidate) {
  if (legacy.size() <= kMaxValueBytes && candidate.size() <= kMaxValueBytes) {
    return {valid_utf8(legacy), valid_utf8(candidate)};
  }
  const auto mismatch = std::mismatch(legacy.begin(), legacy.end(), candidate.begin(), candidate.end());
  const std::size_t first_difference = static_cast<std::size_t>(mismatch.first - legacy.begin());
  // A little context before the change, so the excerpt reads as a sentence and not a fragment.
  const std::size_t from = first_difference > 32 ? first_difference - 32 : 0;
  return {excerpt_object(legacy, from), excerpt_object(candidate, from)};
}

}  // namespace parity::compare
