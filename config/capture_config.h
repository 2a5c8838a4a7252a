#pragma once
// The gateway's traffic capture (`capture:` section): a sample of client requests written to a JSONL
// traffic file (docs/traffic-files.md) for `parity replay` and `parity bench`. docs/replay.md.
#include <cstddef>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace parity::config {

class YamlReader;

struct CaptureConfig {
  bool enabled = false;                        // kill switch, reloadable
  std::string path = "parity-capture.jsonl";   // rotated to .1, .2, … by size (read at start only)
  double sample_percent = 100;                 // of the requests on a captured route
  double rate_per_s = 0;                       // cap over all routes (token bucket); 0 = no cap
  std::vector<std::string> routes;             // route names to capture; empty = every route
  std::size_t max_body_bytes = 64 * 1024;      // request body bytes kept; longer ones are marked truncated
  std::size_t rotate_bytes = 64 * 1024 * 1024; // start a new file beyond this size (read at start only)
  std::size_t keep_files = 5;                  // rotated files kept besides the current one
  std::size_t queue = 8192;                    // requests waiting for the writer; beyond it they are dropped
};

// Reads the `capture:` map into `out`, reporting errors by dotted key.
void read_capture(YamlReader& reader, const YAML::Node& node, CaptureConfig& out);

}  // namespace parity::config
