#include "compare/noise.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "compare/excerpt.h"
#include "compare/json_pointer.h"

namespace parity::compare {
namespace {

std::string field_key(std::string_view route, std::string_view field) {
  std::string key(route);
  key += '\0';
  key += field;
  return key;
}

// The side is part of the fingerprint: "never repeats" is judged per side.
std::uint64_t fingerprint(char side, const nlohmann::json& value) {
  std::string text(1, side);
  text += dump_json(value);
  return fnv1a64(text);
}

}  // namespace

NoiseLearner::NoiseLearner(NoiseThresholds thresholds) : thresholds_(thresholds) {}

NoiseLearner::Field* NoiseLearner::field_entry(std::string_view route, const std::string& field) {
  const std::string key = field_key(route, field);
  auto it = fields_.find(key);
  if (it != fields_.end()) return &it->second;
  if (fields_.size() >= thresholds_.max_fields) return nullptr;
  return &fields_[key];
}

const NoiseLearner::Field* NoiseLearner::find_field(std::string_view route, const std::string& field) const {
  auto it = fields_.find(field_key(route, field));
  return it == fields_.end() ? nullptr : &it->second;
}

void NoiseLearner::observe_exchange(std::string_view route, const std::vector<Difference>& differences) {
  // Per field: was there a difference, and the distinct values of this exchange (a value repeated
  // within one exchange, like a stream's id in every event, is not a repeat across exchanges).
  std::map<std::string, std::unordered_set<std::uint64_t>> by_field;
  for (const auto& d : differences) {
    if (d.kind == DiffKind::shadow_error) continue;
    auto& values = by_field[field_of(d.pointer)];
    if (d.kind == DiffKind::value) {
      values.insert(fingerprint('L', d.legacy));
      values.insert(fingerprint('C', d.candidate));
    }
  }
  std::lock_guard lock(mutex_);
  auto route_it = routes_.find(std::string(route));
  if (route_it == routes_.end()) {
    if (routes_.size() >= thresholds_.max_fields) return;
    route_it = routes_.emplace(std::string(route), Route{}).first;
  }
  ++route_it->second.exchanges;
  for (auto& [name, values] : by_field) {
    Field* field = field_entry(route, name);
    if (field == nullptr) continue;
    ++field->raw;
    if (values.empty() || field->repeated) continue;
    ++field->valued;
    for (std::uint64_t v : values) {
      if (field->seen.count(v) != 0) {
        field->repeated = true;
        field->seen = {};  // never needed again
        break;
      }
    }
    if (field->repeated) continue;
    for (std::uint64_t v : values) {
      if (field->seen.size() >= thresholds_.max_values) break;
      field->seen.insert(v);
    }
  }
}

void NoiseLearner::observe_noise(std::string_view route, const std::vector<Difference>& differences) {
  std::vector<std::string> names;
  for (const auto& d : differences) {
    if (d.kind != DiffKind::shadow_error) names.push_back(field_of(d.pointer));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::lock_guard lock(mutex_);
  auto route_it = routes_.find(std::string(route));
  if (route_it == routes_.end()) {
    if (routes_.size() >= thresholds_.max_fields) return;
    route_it = routes_.emplace(std::string(route), Route{}).first;
  }
  ++route_it->second.noise_samples;
  for (const auto& name : names) {
    if (Field* field = field_entry(route, name)) ++field->noise;
  }
}

NoiseStats NoiseLearner::stats_locked(std::string_view route, const std::string& field) const {
  NoiseStats s;
  if (auto it = routes_.find(std::string(route)); it != routes_.end()) {
    s.exchanges = it->second.exchanges;
    s.noise_samples = it->second.noise_samples;
  }
  if (const Field* f = find_field(route, field)) {
    s.raw = f->raw;
    s.noise = f->noise;
    s.never_repeats = !f->repeated && f->valued >= thresholds_.min_distinct;
  }
  return s;
}

bool NoiseLearner::is_noise_locked(const NoiseStats& s) const {
  if (s.noise_samples > 0 && s.noise > 0) {
    const double raw_rate = s.exchanges == 0 ? 0.0 : static_cast<double>(s.raw) / static_cast<double>(s.exchanges);
    const double noise_rate = static_cast<double>(s.noise) / static_cast<double>(s.noise_samples);
    const bool real = raw_rate > noise_rate && (raw_rate - noise_rate) / (raw_rate + noise_rate) > thresholds_.relative &&
                      raw_rate - noise_rate > thresholds_.absolute;
    return !real;
  }
  if (s.never_repeats) {
    // Enough legacy pairs on this route and the field never differed between them: it is deterministic
    // on legacy, so distinct values are a real difference (e.g. a candidate computing every price wrong).
    const bool overruled = s.noise_samples >= thresholds_.overrule_samples && s.noise == 0;
    return !overruled;
  }
  return false;
}

bool NoiseLearner::is_noise(std::string_view route, std::string_view pointer) const {
  const std::string field = field_of(pointer);
  std::lock_guard lock(mutex_);
  return is_noise_locked(stats_locked(route, field));
}

NoiseStats NoiseLearner::stats(std::string_view route, std::string_view pointer) const {
  const std::string field = field_of(pointer);
  std::lock_guard lock(mutex_);
  return stats_locked(route, field);
}

}  // namespace parity::compare
