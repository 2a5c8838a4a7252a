#include "loadgen/results.h"

namespace parity::loadgen {

void Tally::merge(const Tally& other) {
  latency.merge(other.latency);
  requests += other.requests;
  responses += other.responses;
  status_4xx += other.status_4xx;
  bytes += other.bytes;
  for (const auto& [kind, n] : other.errors) errors[kind] += n;
}

std::uint64_t Tally::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [kind, count] : errors) n += count;
  return n;
}

double Tally::error_rate() const {
  return requests ? static_cast<double>(error_count()) / static_cast<double>(requests) : 0;
}

void TargetRun::merge(const TargetRun& round) {
  seconds += round.seconds;
  overall.merge(round.overall);
  for (const auto& [name, tally] : round.endpoints) endpoints[name].merge(tally);
}

const TargetRun* Level::find(std::string_view target) const {
  for (const auto& t : targets) {
    if (t.target == target) return &t;
  }
  return nullptr;
}

}  // namespace parity::loadgen
