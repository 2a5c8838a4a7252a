#include "compare/decode.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace parity::compare {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Content codings in the order they were applied (every Content-Encoding header, comma lists split).
std::vector<std::string> content_codings(const Headers& headers) {
  std::vector<std::string> codings;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "content-encoding")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string coding = to_lower(trim_ows(rest.substr(0, comma)));
      if (!coding.empty() && coding != "identity") codings.push_back(std::move(coding));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return codings;
}

// Inflates a zlib (window_bits 15), raw deflate (-15) or gzip (31) stream. Concatenated gzip members are
// all inflated. Returns the reason on failure.
std::optional<std::string> inflate_stream(std::string_view input, int window_bits, bool truncated,
                                          std::size_t max_bytes, std::string& out) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) return "zlib initialisation failed";
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, inflateEnd);
  const char* name = window_bits > 15 ? "gzip" : "deflate";
  std::size_t consumed = 0;
  std::array<unsigned char, kChunk> buffer;
  while (true) {
    const std::size_t remaining = input.size() - consumed;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + consumed));
    stream.avail_in = static_cast<uInt>(std::min<std::size_t>(remaining, UINT_MAX));
    const uInt given = stream.avail_in;
    stream.next_out = buffer.data();
    stream.avail_out = static_cast<uInt>(buffer.size());
    const int rc = inflate(&stream, Z_NO_FLUSH);
    consumed += given - stream.avail_in;
    out.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - stream.avail_out);
    if (out.size() > max_bytes) return std::string(name) + ": decoded body exceeds " + std::to_string(max_bytes) + " bytes";
    if (rc == Z_STREAM_END) {
      if (consumed == input.size()) return std::nullopt;
      // Another gzip member (RFC 1952 allows several); anything else after the end is an error.
      if (window_bits > 15 && input.size() - consumed >= 2 && static_cast<unsigned char>(input[consumed]) == 0x1f &&
          static_cast<unsigned char>(input[consumed + 1]) == 0x8b) {
        inflateReset(&stream);
        continue;
      }
      return std::string(name) + ": " + std::to_string(input.size() - consumed) + " bytes after the end of the stream";
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && consumed == input.size()) {
      if (truncated) return std::nullopt;  // a prefix inflates to a prefix
      return std::string(name) + ": stream ends early (truncated body?)";
    }
    return std::string(name) + ": " + (stream.msg != nullptr ? stream.msg : "corrupt data");
  }
}

// HTTP "deflate" is meant to be zlib-wrapped, but servers also send raw deflate: look at the header.
bool has_zlib_header(std::string_view input) {
  if (input.size() < 2) return false;
  const auto b0 = static_cast<unsigned char>(input[0]), b1 = static_cast<unsigned char>(input[1]);
  return (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0;
}

std::optional<std::string> brotli_stream(std::string_view input, bool truncated, std::size_t max_bytes,
                                         std::string& out) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!state) return "br: decoder initialisation failed";
  std::size_t available_in = input.size();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(input.data());
  std::array<std::uint8_t, kChunk> buffer;
  while (true) {
    std::size_t available_out = buffer.size();
    std::uint8_t* next_out = buffer.data();
    const BrotliDecoderResult rc =
        BrotliDecoderDecompressStream(state.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
    out.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - available_out);
    if (out.size() > max_bytes) return "br: decoded body exceeds " + std::to_string(max_bytes) + " bytes";
    switch (rc) {
      case BROTLI_DECODER_RESULT_SUCCESS:
        if (available_in == 0) return std::nullopt;
        return "br: " + std::to_string(available_in) + " bytes after the end of the stream";
      case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: continue;
      case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
        if (truncated) return std::nullopt;
        return "br: stream ends early (truncated body?)";
      default:
        return std::string("br: ") + BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get()));
    }
  }
}

std::optional<std::string> decode_coding(const std::string& coding, std::string_view input, bool truncated,
                                         std::size_t max_bytes, std::string& out) {
  if (coding == "gzip" || coding == "x-gzip") return inflate_stream(input, 15 + 16, truncated, max_bytes, out);
  if (coding == "deflate") return inflate_stream(input, has_zlib_header(input) ? 15 : -15, truncated, max_bytes, out);
  if (coding == "br") return brotli_stream(input, truncated, max_bytes, out);
  return "unsupported content-encoding: " + coding;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// windows-1252 bytes 0x80..0x9F; the five unassigned ones keep their C1 code point (WHATWG Encoding).
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// Browsers decode every latin1 and ascii label as windows-1252, and so do we: a legacy service that says
// iso-8859-1 and sends 0x93 means a curly quote.
std::string windows1252_to_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (unsigned char c : in) {
    append_utf8(out, c >= 0x80 && c <= 0x9F ? kCp1252High[c - 0x80] : c);
  }
  return out;
}

std::optional<std::string> utf16_to_utf8(std::string_view in, bool big_endian, bool truncated, std::string& out) {
  if (in.size() % 2 != 0) {
    if (!truncated) return "utf-16 body has an odd number of bytes";
    in.remove_suffix(1);
  }
  const auto unit = [&](std::size_t i) {
    const auto hi = static_cast<unsigned char>(in[big_endian ? i : i + 1]);
    const auto lo = static_cast<unsigned char>(in[big_endian ? i + 1 : i]);
    return static_cast<std::uint32_t>((hi << 8) | lo);
  };
  for (std::size_t i = 0; i < in.size(); i += 2) {
    const std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 2 >= in.size()) {
        if (truncated) break;
        return "utf-16 body ends inside a surrogate pair";
      }
      const std::uint32_t low = unit(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return "invalid utf-16 surrogate pair at byte " + std::to_string(i);
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return "invalid utf-16 surrogate pair at byte " + std::to_string(i);
    } else {
      append_utf8(out, u);
    }
  }
  return std::nullopt;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

// Converts `body.text` from `charset` to UTF-8 in place; sets `opaque` for unknown charsets.
void convert_charset(std::string_view charset, DecodedBody& body) {
  if (charset.empty() || charset == "utf-8" || charset == "utf8") {
    // A UTF-8 byte order mark is not content.
    if (body.text.starts_with("\xEF\xBB\xBF")) body.text.erase(0, 3);
    return;
  }
  if (one_of(charset, {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
                       "iso-ir-100", "us-ascii", "ascii", "ansi_x3.4-1968", "windows-1252", "cp1252",
                       "x-cp1252"})) {
    body.text = windows1252_to_utf8(body.text);
    return;
  }
  if (one_of(charset, {"utf-16", "utf-16le", "utf-16be", "utf16"})) {
    std::string_view in = body.text;
    bool big_endian = charset != "utf-16le";
    const bool bom_be = in.starts_with("\xFE\xFF"), bom_le = in.starts_with("\xFF\xFE");
    if ((bom_be && charset != "utf-16le") || (bom_le && charset != "utf-16be")) {
      big_endian = bom_be;
      in.remove_prefix(2);
    }
    std::string out;
    if (auto error = utf16_to_utf8(in, big_endian, body.truncated, out)) {
      body.error = *error;
      return;
    }
    body.text = std::move(out);
    return;
  }
  body.opaque = true;
}

}  // namespace

std::string media_type_of(std::string_view content_type) {
  return to_lower(trim_ows(content_type.substr(0, content_type.find(';'))));
}

std::string content_type_parameter(std::string_view content_type, std::string_view name) {
  std::size_t semicolon = content_type.find(';');
  while (semicolon != std::string_view::npos) {
    std::string_view rest = content_type.substr(semicolon + 1);
    const std::size_t next = rest.find(';');
    std::string_view parameter = trim_ows(rest.substr(0, next));
    semicolon = next == std::string_view::npos ? next : semicolon + 1 + next;
    const std::size_t equals = parameter.find('=');
    if (equals == std::string_view::npos) continue;
    if (!iequals(trim_ows(parameter.substr(0, equals)), name)) continue;
    std::string_view value = trim_ows(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return "";
}

bool is_json_media_type(std::string_view media_type) {
  return media_type == "application/json" || media_type == "text/json" || media_type.ends_with("+json");
}

DecodedBody decode_body(const HttpResponse& response, std::size_t max_decoded_bytes) {
  DecodedBody body;
  body.truncated = response.body_truncated;
  const std::string_view content_type = find_header(response.headers, "content-type").value_or("");
  body.media_type = media_type_of(content_type);

  std::string current = response.body;
  // An empty body (HEAD, 204, 304) has nothing to decode, whatever Content-Encoding says.
  if (!current.empty()) {
    const auto codings = content_codings(response.headers);
    for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
      std::string out;
      if (auto error = decode_coding(*it, current, body.truncated, max_decoded_bytes, out)) {
        body.text = response.body;
        body.error = *error;
        return body;
      }
      current = std::move(out);
    }
  }
  body.text = std::move(current);
  convert_charset(to_lower(content_type_parameter(content_type, "charset")), body);
  if (!body.error.empty()) body.text = response.body;
  return body;
}

}  // namespace parity::compare
