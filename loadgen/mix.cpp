#include "loadgen/mix.h"

#include <algorithm>
#include <set>

#include "store/traffic_file.h"

namespace parity::loadgen {

RequestMix::RequestMix(std::vector<MixEntry> entries) : entries_(std::move(entries)) {
  double total = 0;
  for (const auto& e : entries_) total += e.weight > 0 ? e.weight : 0;
  double running = 0;
  cumulative_.reserve(entries_.size());
  for (const auto& e : entries_) {
    running += e.weight > 0 ? e.weight : 0;
    cumulative_.push_back(total > 0 ? running / total : 1.0);
  }
  if (!cumulative_.empty()) cumulative_.back() = 1.0;
}

std::size_t RequestMix::pick(double u) const {
  if (entries_.size() <= 1) return 0;
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.end()) return entries_.size() - 1;
  return static_cast<std::size_t>(it - cumulative_.begin());
}

std::vector<std::string> RequestMix::endpoints() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& e : entries_) {
    if (seen.insert(e.endpoint).second) out.push_back(e.endpoint);
  }
  return out;
}

namespace {

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

LoadedMix load_mix(const std::string& path) {
  LoadedMix out;
  auto file = store::read_traffic_file(path);
  out.warnings = file.errors;
  if (!file.ok) {
    out.error = file.errors.empty() ? "cannot read " + path : file.errors.front();
    out.warnings.clear();
    return out;
  }
  std::vector<MixEntry> entries;
  for (auto& r : file.requests) {
    MixEntry e;
    e.endpoint = !r.name.empty() ? r.name : r.request.method + " " + (r.route.empty() ? path_of(r.request.target) : r.route);
    e.weight = r.weight;
    e.request = std::move(r.request);
    entries.push_back(std::move(e));
  }
  if (entries.empty()) {
    out.error = path + ": no valid request in the file" +
                (file.malformed ? " (" + std::to_string(file.malformed) + " malformed lines)" : std::string{});
    return out;
  }
  out.mix = RequestMix(std::move(entries));
  out.ok = true;
  return out;
}

LoadedMix single_request_mix(const std::string& url_or_path) {
  LoadedMix out;
  std::string target = url_or_path;
  if (auto scheme = target.find("://"); scheme != std::string::npos) {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string::npos ? "/" : target.substr(slash);
  }
  if (target.empty() || target.front() != '/') {
    out.error = "--url: expected a path such as /v1/models or a full URL, got '" + url_or_path + "'";
    return out;
  }
  MixEntry e;
  e.request.method = "GET";
  e.request.target = target;
  e.endpoint = "GET " + path_of(target);
  out.mix = RequestMix({std::move(e)});
  out.ok = true;
  return out;
}

}  // namespace parity::loadgen
