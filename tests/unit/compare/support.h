#pragma once
// Helpers shared by the compare tests: responses, encoders, case files.
#include <brotli/encode.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "compare/rules.h"
#include "core/http_message.h"

namespace parity::compare::test {

inline HttpResponse response(int status, std::string body, Headers headers = {{"Content-Type", "application/json"}}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// window_bits: 31 gzip, 15 zlib, -15 raw deflate.
inline std::string deflate_with(std::string_view input, int window_bits) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

inline std::string gzip(std::string_view input) { return deflate_with(input, 31); }

inline std::string brotli(std::string_view input) {
  std::string out(BrotliEncoderMaxCompressedSize(input.size()) + 64, '\0');
  std::size_t size = out.size();
  if (!BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, input.size(),
                             reinterpret_cast<const uint8_t*>(input.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    throw std::runtime_error("BrotliEncoderCompress");
  }
  out.resize(size);
  return out;
}

// prefix + n. (Spelled out because GCC 12 at -O3 raises a false -Wrestrict on "x" + std::to_string(n).)
inline std::string numbered(std::string_view prefix, long long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline std::string read_case_file(const std::string& name) {
  const std::string path = std::string(PARITY_SOURCE_DIR) + "/tests/unit/compare/cases/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The test cases' JSON spelling of a compare: section (the YAML loader lives in config/).
inline Rules rules_from_json(const nlohmann::json& j) {
  Rules rules;
  rules.ignore = j.value("ignore", rules.ignore);
  rules.headers = j.value("headers", rules.headers);
  rules.unordered = j.value("unordered", rules.unordered);
  rules.number_tolerance = j.value("number_tolerance", rules.number_tolerance);
  for (const auto& f : j.value("error_formats", nlohmann::json::array())) {
    ErrorFormat format{f.at("legacy"), f.at("candidate"), {}};
    for (const auto& pair : f.value("statuses", nlohmann::json::array())) {
      format.statuses.emplace_back(pair.at(0).get<int>(), pair.at(1).get<int>());
    }
    rules.error_formats.push_back(std::move(format));
  }
  if (j.contains("noise")) rules.noise.fields = j["noise"].value("fields", rules.noise.fields);
  return rules;
}

}  // namespace parity::compare::test
