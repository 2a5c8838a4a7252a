#include "config/backend_policy.h"

#include "config/backend_policy_reader.h"
#include "config/url.h"

namespace parity::config {

const char* to_string(Balance balance) {
  switch (balance) {
    case Balance::round_robin: return "round_robin";
    case Balance::random: return "random";
    case Balance::weighted: return "weighted";
  }
  return "round_robin";
}

namespace {

void read_instances(YamlReader& r, const YAML::Node& list, const std::string& key, BackendConfig& b) {
  if (!list.IsSequence() || list.size() == 0) {
    r.error(key, "must be a non-empty list like [{url: http://10.0.0.1:8000, weight: 1}, …]");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string ikey = key + "[" + std::to_string(i) + "]";
    const auto& node = list[i];
    BackendConfig::Instance instance;
    if (node.IsScalar()) {  // a bare URL
      instance.url = node.as<std::string>();
    } else if (node.IsMap()) {
      r.known_keys(node, ikey, {"url", "weight"});
      r.read(node, "url", ikey, instance.url);
      int weight = 1;
      if (r.read(node, "weight", ikey, weight)) {
        if (weight < 0) r.error(ikey + ".weight", "must be >= 0 (0 takes the instance out of rotation)");
        else instance.weight = static_cast<std::uint32_t>(weight);
      }
    } else {
      r.error(ikey, "must be a URL or a map like {url: …, weight: 1}");
      continue;
    }
    if (instance.url.empty()) r.error(ikey + ".url", "required");
    b.instances.push_back(std::move(instance));
  }
}

}  // namespace

void read_backend_policy(YamlReader& r, const YAML::Node& node, const std::string& key, BackendConfig& b) {
  if (auto list = node["instances"]) read_instances(r, list, key + ".instances", b);
  std::string balance = to_string(b.balance);
  if (r.read(node, "balance", key, balance)) {
    if (balance == "round_robin") b.balance = Balance::round_robin;
    else if (balance == "random") b.balance = Balance::random;
    else if (balance == "weighted") b.balance = Balance::weighted;
    else r.error(key + ".balance", "must be round_robin, random or weighted, not '" + balance + "'");
  }
  if (auto hc = r.section(node, "health_check", key); hc.IsMap()) {
    std::string hkey = key + ".health_check";
    auto& h = b.health_check;
    r.known_keys(hc, hkey, {"interval_ms", "path", "timeout_ms", "unhealthy_after", "healthy_after"});
    h.interval_ms = 5000;  // the section present turns checks on
    r.read_positive(hc, "interval_ms", hkey, h.interval_ms);
    r.read(hc, "path", hkey, h.path);
    if (!h.path.empty() && h.path.front() != '/') r.error(hkey + ".path", "must start with /");
    r.read_positive(hc, "timeout_ms", hkey, h.timeout_ms);
    r.read_positive(hc, "unhealthy_after", hkey, h.unhealthy_after);
    r.read_positive(hc, "healthy_after", hkey, h.healthy_after);
  }
  if (auto cb = r.section(node, "circuit_breaker", key); cb.IsMap()) {
    std::string ckey = key + ".circuit_breaker";
    r.known_keys(cb, ckey, {"failures", "open_ms", "failure_statuses"});
    b.circuit_breaker.failures = 5;  // the section present turns the breaker on
    r.read_positive(cb, "failures", ckey, b.circuit_breaker.failures);
    r.read_positive(cb, "open_ms", ckey, b.circuit_breaker.open_ms);
    if (r.read(cb, "failure_statuses", ckey, b.circuit_breaker.failure_statuses)) {
      for (int status : b.circuit_breaker.failure_statuses) {
        if (status < 500 || status > 599) {
          r.error(ckey + ".failure_statuses", std::to_string(status) +
                                                  " is not a 5xx status (a 4xx is the client's fault, not the instance's)");
        }
      }
    }
  }
  if (auto rt = r.section(node, "retries", key); rt.IsMap()) {
    std::string rkey = key + ".retries";
    r.known_keys(rt, rkey, {"attempts", "backoff_ms"});
    if (r.read(rt, "attempts", rkey, b.retries.attempts) && (b.retries.attempts < 0 || b.retries.attempts > 10)) {
      r.error(rkey + ".attempts", "must be from 0 to 10");
    }
    if (r.read(rt, "backoff_ms", rkey, b.retries.backoff_ms) && b.retries.backoff_ms < 0) {
      r.error(rkey + ".backoff_ms", "must be >= 0");
    }
  }
}

void validate_instances(YamlReader& r, const std::string& key, BackendConfig& b) {
  if (b.instances.empty()) return;
  if (!b.url.empty()) {
    r.error(key + ".url", "use either url (one instance) or instances, not both");
    return;
  }
  std::uint64_t total_weight = 0;
  for (std::size_t i = 0; i < b.instances.size(); ++i) {
    auto& instance = b.instances[i];
    total_weight += instance.weight;
    if (instance.url.empty()) continue;  // already reported
    std::string reason;
    if (auto url = parse_url(instance.url, reason)) {
      instance.parsed = *url;
    } else {
      r.error(key + ".instances[" + std::to_string(i) + "].url", reason);
    }
  }
  if (total_weight == 0) r.error(key + ".instances", "at least one instance needs a weight > 0");
  b.url = b.instances.front().url;
  b.parsed = b.instances.front().parsed;
}

void single_instance_from_url(BackendConfig& b) {
  if (b.instances.empty() && !b.url.empty()) b.instances.push_back({b.url, b.parsed, 1});
}

}  // namespace parity::config
