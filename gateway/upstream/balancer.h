#pragma once
// Chooses one instance of a backend: round robin, random or weighted, among the instances that are
// available (healthy, breaker closed, weight > 0). Pure: the random value is passed in.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "config/backend_policy.h"

namespace parity::upstream {

struct Candidate {
  std::uint32_t weight = 1;
  bool available = true;
};

class Balancer {
 public:
  // `random01` is uniform in [0, 1); nullopt when no candidate is available.
  std::optional<std::size_t> pick(config::Balance policy, std::span<const Candidate> candidates, double random01);

 private:
  std::uint64_t cursor_ = 0;  // round robin: where the next search starts
};

}  // namespace parity::upstream
