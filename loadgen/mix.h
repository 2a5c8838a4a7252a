#pragma once
// A weighted request mix: the requests a benchmark draws from, read from a traffic file
// (store/traffic_file.h: a hand-written mix or a gateway capture) or made of one path.
#include <cstdint>
#include <string>
#include <vector>

#include "core/http_message.h"

namespace parity::loadgen {

struct MixEntry {
  std::string endpoint;  // label for per-endpoint tables: the file's name, else "METHOD /path"
  HttpRequest request;
  double weight = 1.0;
};

class RequestMix {
 public:
  RequestMix() = default;
  explicit RequestMix(std::vector<MixEntry> entries);

  // The entry for a uniform random value u in [0, 1): entries are drawn in proportion to their weight.
  std::size_t pick(double u) const;
  const std::vector<MixEntry>& entries() const { return entries_; }
  // Endpoint labels in first-seen order, without duplicates.
  std::vector<std::string> endpoints() const;
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<MixEntry> entries_;
  std::vector<double> cumulative_;  // running sum of weights, normalised to end at 1
};

struct LoadedMix {
  bool ok = false;
  RequestMix mix;
  std::string error;                 // when !ok: why nothing can be sent
  std::vector<std::string> warnings;  // malformed lines that were skipped
};

// Reads a traffic file (JSONL). Malformed lines become warnings; a file with no usable line is an error.
LoadedMix load_mix(const std::string& path);

// A one-request mix: GET of `url_or_path` ("/v1/models?x=1" or a full URL whose path and query are used).
LoadedMix single_request_mix(const std::string& url_or_path);

}  // namespace parity::loadgen
