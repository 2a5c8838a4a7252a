#include "gateway/upstream/balancer.h"

namespace parity::upstream {

std::optional<std::size_t> Balancer::pick(config::Balance policy, std::span<const Candidate> candidates,
                                          double random01) {
  auto usable = [&](std::size_t i) { return candidates[i].available && candidates[i].weight > 0; };
  const std::size_t n = candidates.size();
  std::uint64_t total = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!usable(i)) continue;
    total += candidates[i].weight;
    ++count;
  }
  if (count == 0) return std::nullopt;
  if (random01 < 0 || random01 >= 1) random01 = 0;
  switch (policy) {
    case config::Balance::round_robin:
      for (std::size_t step = 0; step < n; ++step) {
        std::size_t i = (cursor_ + step) % n;
        if (usable(i)) {
          cursor_ = i + 1;
          return i;
        }
      }
      return std::nullopt;
    case config::Balance::random: {
      auto k = static_cast<std::size_t>(random01 * static_cast<double>(count));
      for (std::size_t i = 0; i < n; ++i) {
        if (usable(i) && k-- == 0) return i;
      }
      break;
    }
    case config::Balance::weighted: {
      auto point = static_cast<std::uint64_t>(random01 * static_cast<double>(total));
      for (std::size_t i = 0; i < n; ++i) {
        if (!usable(i)) continue;
        if (point < candidates[i].weight) return i;
        point -= candidates[i].weight;
      }
      break;
    }
  }
  // Rounding at the top of the range: the last usable instance.
  for (std::size_t i = n; i-- > 0;) {
    if (usable(i)) return i;
  }
  return std::nullopt;
}

}  // namespace parity::upstream
