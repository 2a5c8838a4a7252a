#include "shadow/exchange_recorder.h"

#include "compare/compare.h"
#include "compare/excerpt.h"
#include "core/time_format.h"
#include "store/redact.h"

namespace parity::shadow {
namespace {

using config::Side;

store::SideSummary summary(const SideOutcome& side) {
  store::SideSummary s;
  s.status = side.response ? side.response->status : 0;
  s.latency_ms = side.latency_ms;
  s.bytes = side.bytes;
  s.error = side.error;
  return s;
}

bool failed(const SideOutcome& side) { return !side.error.empty() || !side.response; }

// Header differences on secret headers (if someone compares Set-Cookie) keep their kind, not their value.
void redact_differences(std::vector<compare::Difference>& differences, const std::vector<std::string>& extra) {
  for (auto& d : differences) {
    if (d.pointer.rfind("header:", 0) != 0) continue;
    if (!store::is_secret_header(std::string_view(d.pointer).substr(7), extra)) continue;
    if (!d.legacy.is_null()) d.legacy = store::kRedacted;
    if (!d.candidate.is_null()) d.candidate = store::kRedacted;
  }
}

nlohmann::json body_sample(const SideOutcome& side, std::size_t limit) {
  if (!side.response) return nullptr;
  const std::string& body = side.response->body;
  nlohmann::json sample = {{"status", side.response->status},
                           {"body", compare::valid_utf8(std::string_view(body).substr(0, limit))}};
  if (body.size() > limit || side.response->body_truncated) sample["truncated"] = true;
  return sample;
}

}  // namespace

store::Record make_record(const CompletedExchange& ex, const compare::Comparison& comparison,
                          const std::string& instance) {
  store::Record r;
  r.ts = format_rfc3339_ms(ex.started);
  r.request_id = ex.request_id;
  r.method = ex.method;
  r.route = ex.route;
  r.target = ex.target;
  r.served_by = config::to_string(ex.served);
  r.instance = instance;
  r.verdict = comparison.verdict;
  r.legacy = summary(ex.side(Side::legacy));
  r.candidate = summary(ex.side(Side::candidate));
  r.differences = comparison.differences;
  redact_differences(r.differences, ex.config->store.redact_headers);
  if (comparison.verdict == compare::Verdict::mismatch && ex.config->store.sample_bytes > 0) {
    r.sample = nlohmann::json{{"legacy", body_sample(ex.side(Side::legacy), ex.config->store.sample_bytes)},
                              {"candidate", body_sample(ex.side(Side::candidate), ex.config->store.sample_bytes)}};
  }
  return r;
}

ExchangeRecorder::ExchangeRecorder(RecorderDeps deps) : deps_(std::move(deps)) {}

store::Record ExchangeRecorder::record(const CompletedExchange& ex) {
  const auto& rules = ex.config->compare;
  const bool learn = rules.noise.learn;
  const auto& legacy = ex.side(Side::legacy);
  const auto& candidate = ex.side(Side::candidate);
  compare::Comparison comparison;
  if (failed(ex.shadow_side)) {
    comparison = compare::shadow_failed(config::to_string(config::other(ex.served)),
                                        ex.shadow_side.error.empty() ? "no response" : ex.shadow_side.error);
  } else if (failed(ex.served_side)) {
    // The client got a gateway error; there is nothing to compare, but the failure is data.
    comparison = compare::shadow_failed(config::to_string(ex.served),
                                        ex.served_side.error.empty() ? "no response" : ex.served_side.error);
  } else {
    comparison = compare::compare_responses(*legacy.response, *candidate.response, rules, ex.route,
                                            learn ? &noise_ : nullptr);
    if (learn) noise_.observe_exchange(ex.route, comparison.differences);
  }
  if (learn && ex.legacy_again && !failed(*ex.legacy_again) && !failed(legacy)) {
    auto noise = compare::compare_responses(*legacy.response, *ex.legacy_again->response, rules, ex.route);
    noise_.observe_noise(ex.route, noise.differences);
    deps_.metrics->counter("parity_noise_samples_total", {{"route", ex.route}},
                           "Requests sent twice to legacy to learn noise fields").inc();
  }
  auto record = make_record(ex, comparison, deps_.instance);
  if (deps_.live) deps_.live->add(record);
  if (deps_.sink) deps_.sink->write(record);
  return record;
}

}  // namespace parity::shadow
