#include "config/capture_config.h"

#include <yaml-cpp/yaml.h>

#include "config/yaml_reader.h"

namespace parity::config {

void read_capture(YamlReader& r, const YAML::Node& node, CaptureConfig& c) {
  r.known_keys(node, "capture", {"enabled", "path", "sample_percent", "rate_per_s", "routes", "max_body_bytes",
                                 "rotate_bytes", "keep_files", "queue"});
  r.read(node, "enabled", "capture", c.enabled);
  r.read(node, "path", "capture", c.path);
  if (c.path.empty()) r.error("capture.path", "must not be empty");
  r.read_percent(node, "sample_percent", "capture", c.sample_percent);
  if (r.read(node, "rate_per_s", "capture", c.rate_per_s) && c.rate_per_s < 0) {
    r.error("capture.rate_per_s", "must be >= 0 (0 = no cap)");
  }
  r.read(node, "routes", "capture", c.routes);
  r.read(node, "max_body_bytes", "capture", c.max_body_bytes);
  if (r.read(node, "rotate_bytes", "capture", c.rotate_bytes) && c.rotate_bytes < 1024) {
    r.error("capture.rotate_bytes", "must be >= 1024");
  }
  r.read(node, "keep_files", "capture", c.keep_files);
  if (r.read(node, "queue", "capture", c.queue) && c.queue == 0) r.error("capture.queue", "must be >= 1");
}

}  // namespace parity::config
