#include "gateway/guard.h"

#include <cstdio>

namespace parity::gateway {
namespace {

std::string describe(const char* what, double rate, double bound, int window_s, std::uint64_t n, const char* unit) {
  char text[200];
  std::snprintf(text, sizeof text, "%s rate %.2f > %.2f over %d s (%llu %s)", what, rate, bound, window_s,
                static_cast<unsigned long long>(n), unit);
  return text;
}

}  // namespace

void CutoverGuard::arm(const std::optional<config::GuardConfig>& config, bool armed) {
  std::lock_guard lock(mutex_);
  const bool now_armed = armed && config.has_value();
  if (now_armed && (!armed_ || config_ != config)) buckets_.clear();
  config_ = config;
  armed_ = now_armed;
}

bool CutoverGuard::armed() const {
  std::lock_guard lock(mutex_);
  return armed_;
}

CutoverGuard::Bucket& CutoverGuard::current_bucket() {
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.steady_now().time_since_epoch()).count();
  const std::int64_t oldest = second - config_->window_s + 1;
  while (!buckets_.empty() && buckets_.front().second < oldest) buckets_.pop_front();
  if (buckets_.empty() || buckets_.back().second != second) buckets_.push_back({second, {}});
  return buckets_.back();
}

CutoverGuard::Window CutoverGuard::sum() const {
  Window total;
  for (const auto& b : buckets_) {
    total.requests += b.counts.requests;
    total.errors += b.counts.errors;
    total.compared += b.counts.compared;
    total.mismatches += b.counts.mismatches;
  }
  return total;
}

std::optional<std::string> CutoverGuard::evaluate() {
  const auto& g = *config_;
  const auto w = sum();
  const auto min = static_cast<std::uint64_t>(g.min_requests);
  std::optional<std::string> reason;
  if (g.max_error_rate && w.requests >= min) {
    const double rate = static_cast<double>(w.errors) / static_cast<double>(w.requests);
    if (rate > *g.max_error_rate) reason = describe("error", rate, *g.max_error_rate, g.window_s, w.requests, "requests");
  }
  if (!reason && g.max_mismatch_rate && w.compared >= min) {
    const double rate = static_cast<double>(w.mismatches) / static_cast<double>(w.compared);
    if (rate > *g.max_mismatch_rate) {
      reason = describe("mismatch", rate, *g.max_mismatch_rate, g.window_s, w.compared, "compared exchanges");
    }
  }
  // Trip once: the rollback is the caller's job, and it re-arms the guard only on a new cut-over.
  if (reason) armed_ = false;
  return reason;
}

void CutoverGuard::set_trip_handler(TripHandler handler) {
  std::lock_guard lock(mutex_);
  on_trip_ = std::move(handler);
}

std::optional<std::string> CutoverGuard::observe(bool is_request, bool bad) {
  std::optional<std::string> reason;
  TripHandler handler;
  {
    std::lock_guard lock(mutex_);
    if (!armed_) return std::nullopt;
    auto& counts = current_bucket().counts;
    if (is_request) {
      ++counts.requests;
      if (bad) ++counts.errors;
    } else {
      ++counts.compared;
      if (bad) ++counts.mismatches;
    }
    reason = evaluate();
    if (reason) handler = on_trip_;
  }
  // The rollback takes the control's lock and may call arm(): never under ours.
  if (handler) handler(*reason);
  return reason;
}

std::optional<std::string> CutoverGuard::observe_request(bool error) { return observe(true, error); }

std::optional<std::string> CutoverGuard::observe_verdict(bool mismatch) { return observe(false, mismatch); }

CutoverGuard::Window CutoverGuard::window() const {
  std::lock_guard lock(mutex_);
  if (!config_) return {};
  // Buckets older than the window may linger until the next observation: leave them out.
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.steady_now().time_since_epoch()).count();
  Window total;
  for (const auto& b : buckets_) {
    if (b.second <= second - config_->window_s) continue;
    total.requests += b.counts.requests;
    total.errors += b.counts.errors;
    total.compared += b.counts.compared;
    total.mismatches += b.counts.mismatches;
  }
  return total;
}

}  // namespace parity::gateway
