// libFuzzer target: the YAML config loader. Any input must load or be rejected with errors that name
// a key and a reason; it must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  // No base dir and no environment: relative paths stay relative, nothing outside the input matters.
  auto result = parity::config::load_config_text(yaml, "", nullptr, {});
  if (result.config.has_value() == !result.errors.empty()) __builtin_trap();  // exactly one of the two
  if (result.internal_error) __builtin_trap();  // an exception escaped a reader
  for (const auto& e : result.errors) {
    if (e.reason.empty()) __builtin_trap();  // every error says why
  }
  if (result.config) {
    // A loaded config always has a usable backend instance on each side.
    for (auto side : {parity::config::Side::legacy, parity::config::Side::candidate}) {
      const auto& b = result.config->backend(side);
      if (b.instances.empty() || b.instances.front().url != b.url) __builtin_trap();
    }
  }
  return 0;
}
