#include "shadow/mirror_service.h"

#include "gateway/upstream/plain_response.h"
#include "shadow/mirror_policy.h"

namespace parity::shadow {

using config::Side;

// Collects the sides of one mirrored exchange on its event loop; the last one to arrive hands the
// whole exchange to the diff workers. Destroyed without completing (loop stopped): the slot is freed.
class PendingExchange final : public ServedCapture {
 public:
  // `held_bytes`: what the request copies hold, already taken from the budget of `max_bytes`.
  PendingExchange(MirrorService& service, CompletedExchange exchange, int awaiting, std::size_t max_body,
                  std::size_t held_bytes, std::size_t max_bytes)
      : service_(service),
        exchange_(std::move(exchange)),
        awaiting_(awaiting),
        max_body_(max_body),
        held_bytes_(held_bytes),
        max_bytes_(max_bytes) {}
  ~PendingExchange() override {
    if (submitted_) return;
    service_.release_slot();
    service_.give_back_bytes(held_bytes_);
  }

  std::size_t max_body() const override { return max_body_; }

  void served(HttpResponse response, const upstream::Result& result) override {
    // A client that left mid-response leaves half a served body: comparing it would report a
    // difference that the backends never had.
    client_left_ = result.failure == upstream::Failure::aborted;
    auto side = outcome(std::move(response), result);
    if (hold(side, served_body_charged_)) exchange_.served_side = std::move(side);
    arrive();
  }

  bool keep(std::size_t bytes) override { return charge(bytes, served_body_charged_); }

  // `charged`: the tally charge() kept for this side's body while it was read.
  void shadow(SideOutcome side, std::size_t charged) {
    if (hold(side, charged)) exchange_.shadow_side = std::move(side);
    arrive();
  }

  void legacy_again(SideOutcome side, std::size_t charged) {
    if (hold(side, charged)) exchange_.legacy_again = std::move(side);
    arrive();
  }

  // Takes `bytes` of a body still being read from the byte budget and adds them to `tally` (what that
  // side's body has been charged), so that captures in progress count too; false (the capture should
  // stop) when that would pass it.
  bool charge(std::size_t bytes, std::size_t& tally) {
    if (!take(bytes)) return false;
    tally += bytes;
    return true;
  }

  static SideOutcome outcome(HttpResponse response, const upstream::Result& result) {
    SideOutcome side;
    side.latency_ms = static_cast<double>(result.latency.count()) / 1000.0;
    side.bytes = result.body_bytes;
    if (result.failure != upstream::Failure::none) {
      side.error = std::string(upstream::to_string(result.failure)) + ": " + result.error;
    }
    if (result.head_received) side.response = std::move(response);
    return side;
  }

 private:
  // Takes `bytes` from the byte budget; once one side has passed it, nothing more is taken.
  bool take(std::size_t bytes) {
    if (over_budget_) return false;
    if (!service_.take_bytes(bytes, max_bytes_)) {
      over_budget_ = true;
      return false;
    }
    held_bytes_ += bytes;
    return true;
  }

  static std::size_t bytes_of(const SideOutcome& side) {
    std::size_t n = side.error.size();
    if (side.response) {
      n += side.response->body.size();
      for (const auto& [name, value] : side.response->headers) n += name.size() + value.size();
    }
    return n;
  }

  // Takes what a complete side holds, beyond the `charged` bytes of its body already taken while it
  // was read, from the byte budget. Over it, the side is let go at once (a response kept waiting for a
  // hung shadow is what the budget is for) and the exchange is dropped when the others are in.
  bool hold(const SideOutcome& side, std::size_t charged) {
    const std::size_t bytes = bytes_of(side);
    return take(bytes > charged ? bytes - charged : 0);
  }

  void arrive() {
    if (--awaiting_ > 0) return;
    submitted_ = true;
    if (client_left_) {
      service_.drop_client_left(exchange_.request_id, held_bytes_);
    } else if (over_budget_) {
      service_.drop_over_budget(exchange_.request_id, held_bytes_, max_bytes_);
    } else {
      service_.submit(std::move(exchange_), held_bytes_);
    }
  }

  MirrorService& service_;
  CompletedExchange exchange_;
  int awaiting_;
  std::size_t max_body_;
  std::size_t held_bytes_;
  std::size_t max_bytes_;
  bool submitted_ = false;
  bool client_left_ = false;
  bool over_budget_ = false;
  std::size_t served_body_charged_ = 0;
};

namespace {

// Sends one copy and reports it back to the pending exchange (on the same event loop).
// `pools` is the loop's mirror PoolSet, which outlives every coroutine spawned on that loop.
asio::awaitable<void> send_copy(std::shared_ptr<PendingExchange> pending, upstream::PoolSet& pools,
                                upstream::Pick pick, upstream::WireRequest request, std::size_t max_body,
                                bool is_noise_sample) {
  // Each piece kept is charged as it arrives: a shadow that sends most of a large body and then hangs
  // holds budget for what it sent. Over the budget the read is given up (the exchange is dropped).
  std::size_t charged = 0;
  const upstream::MayKeep may_keep = [&pending, &charged](std::size_t bytes) {
    return pending->charge(bytes, charged);
  };
  auto response = co_await upstream::fetch(*pick.pool, request, max_body, may_keep);
  pools.report(pick, response.result);
  auto side = PendingExchange::outcome(
      upstream::to_plain(response.head, std::move(response.body), response.truncated), response.result);
  if (is_noise_sample) {
    pending->legacy_again(std::move(side), charged);
  } else {
    pending->shadow(std::move(side), charged);
  }
}

// The exact bytes of the body, the same headers, for `instance`; held in wire form until the shadow
// answers (wire_request.h says why).
upstream::WireRequest copy_for(const MirrorContext& ctx, const config::Url& instance) {
  const std::string target = instance.base_path + std::string(ctx.upstream_target);
  const std::string host = upstream::host_header(instance);
  return upstream::to_wire(ctx.request, target, {{"Host", host}, {"X-Parity-Mirror", "1"}});
}

// What one copy of the request holds (its wire form, as copy_for builds it), near enough for the budget.
std::size_t copy_bytes(const MirrorContext& ctx) {
  std::size_t n = ctx.request.body().size() + ctx.upstream_target.size() + 64;  // + request line, Host, marker
  for (const auto& field : ctx.request) n += field.name_string().size() + field.value().size() + 4;
  return n;
}

}  // namespace

MirrorService::MirrorService(MirrorServiceDeps deps)
    : deps_(std::move(deps)),
      recorder_(deps_.recorder),
      mirrored_(deps_.metrics->counter("parity_mirrored_total", {}, "Requests mirrored to the shadow")),
      dropped_queue_full_(deps_.metrics->counter("parity_mirror_dropped_total", {{"reason", "queue_full"}},
                                                 "Mirrors dropped, by reason")),
      dropped_diff_full_(deps_.metrics->counter("parity_mirror_dropped_total", {{"reason", "diff_queue_full"}},
                                                "Mirrors dropped, by reason")),
      dropped_client_left_(deps_.metrics->counter("parity_mirror_dropped_total", {{"reason", "client_left"}},
                                                  "Mirrors dropped, by reason")),
      dropped_memory_(deps_.metrics->counter("parity_mirror_dropped_total", {{"reason", "memory"}},
                                             "Mirrors dropped, by reason")),
      bytes_held_gauge_(deps_.metrics->gauge("parity_mirror_bytes_held", {},
                                             "Bytes held for mirrors in flight (request copies, captured "
                                             "responses); mirror.max_bytes at most")),
      // Diffs are not urgent: a 1 ms pause between batches spares the event loops a futex wake per exchange.
      workers_(deps_.diff_threads, 1024, "parity-diff", std::chrono::milliseconds(1)) {}

MirrorService::~MirrorService() { workers_.wait_idle(); }

void MirrorService::warn(WarningThrottle& throttle, const std::string& message) {
  if (auto held = throttle.admit(deps_.clock->steady_now())) {
    if (*held > 0) {
      deps_.log->warn("{} ({} more like it since the last warning)", message, *held);
    } else {
      deps_.log->warn("{}", message);
    }
  }
}

std::shared_ptr<ServedCapture> MirrorService::begin(const MirrorContext& ctx) {
  const auto& cfg = *ctx.snapshot.config;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto decision = decide_mirror(cfg, ctx.route, sv(ctx.request.method_string()), uniform(ctx.random),
                                uniform(ctx.random));
  if (!decision.mirror) return nullptr;
  // The bound covers mirrors queued or in flight: over it the mirror is dropped, never waited for.
  if (in_flight_.fetch_add(1) >= cfg.mirror.queue) {
    in_flight_.fetch_sub(1);
    dropped_queue_full_.inc();
    warn(queue_full_warning_, "mirror queue full (" + std::to_string(cfg.mirror.queue) +
                                  "): dropping mirrors; the clients are unaffected");
    return nullptr;
  }
  // Legacy asked a second time is only useful against a legacy answer, which we always have.
  const bool resample = decision.resample_legacy;
  const std::size_t copies_bytes = (resample ? 2 : 1) * copy_bytes(ctx);
  if (!take_bytes(copies_bytes, cfg.mirror.max_bytes)) {
    drop_over_budget(std::string(ctx.request_id), 0, cfg.mirror.max_bytes);  // nothing taken yet
    return nullptr;
  }
  mirrored_.inc();
  const Side shadow_side = config::other(cfg.serve);
  CompletedExchange exchange;
  exchange.config = ctx.snapshot.config;
  exchange.started = deps_.clock->now();
  exchange.request_id = std::string(ctx.request_id);
  exchange.method = std::string(sv(ctx.request.method_string()));
  exchange.route = ctx.route.name;
  exchange.target = std::string(ctx.upstream_target);
  exchange.served = cfg.serve;
  auto pending = std::make_shared<PendingExchange>(*this, std::move(exchange), resample ? 3 : 2,
                                                   cfg.mirror.max_body_bytes, copies_bytes, cfg.mirror.max_bytes);
  const auto timeout = std::chrono::milliseconds(cfg.mirror.timeout_ms);
  // The shadow side is balanced and protected like the served one; with every breaker open the
  // exchange is recorded as a shadow_error without contacting the shadow.
  if (auto shadow_pick = ctx.pools.pick(shadow_side, ctx.snapshot, timeout)) {
    auto copy = copy_for(ctx, shadow_pick->instance->parsed);
    asio::co_spawn(ctx.executor,
                   send_copy(pending, ctx.pools, *shadow_pick, std::move(copy), cfg.mirror.max_body_bytes, false),
                   asio::detached);
  } else {
    SideOutcome unavailable;
    unavailable.error = "unavailable: every instance's circuit breaker is open";
    pending->shadow(std::move(unavailable), 0);
  }
  if (resample) {
    if (auto legacy_pick = ctx.pools.pick(Side::legacy, ctx.snapshot, timeout)) {
      auto copy = copy_for(ctx, legacy_pick->instance->parsed);
      asio::co_spawn(ctx.executor,
                     send_copy(pending, ctx.pools, *legacy_pick, std::move(copy), cfg.mirror.max_body_bytes, true),
                     asio::detached);
    } else {
      SideOutcome unavailable;
      unavailable.error = "unavailable: every instance's circuit breaker is open";
      pending->legacy_again(std::move(unavailable), 0);
    }
  }
  return pending;
}

bool MirrorService::take_bytes(std::size_t bytes, std::size_t max_bytes) {
  std::size_t held = bytes_held_.load();
  do {
    if (bytes > max_bytes || held > max_bytes - bytes) return false;
  } while (!bytes_held_.compare_exchange_weak(held, held + bytes));
  bytes_held_gauge_.add(static_cast<std::int64_t>(bytes));
  return true;
}

void MirrorService::give_back_bytes(std::size_t bytes) {
  bytes_held_.fetch_sub(bytes);
  bytes_held_gauge_.add(-static_cast<std::int64_t>(bytes));
}

void MirrorService::drop_over_budget(const std::string& request_id, std::size_t held_bytes, std::size_t max_bytes) {
  give_back_bytes(held_bytes);
  release_slot();
  dropped_memory_.inc();
  warn(memory_warning_, "mirror byte budget reached (mirror.max_bytes " + std::to_string(max_bytes) +
                            "): request " + request_id + " not compared; the clients are unaffected");
}

void MirrorService::drop_client_left(const std::string& request_id, std::size_t held_bytes) {
  give_back_bytes(held_bytes);
  release_slot();
  dropped_client_left_.inc();
  warn(client_left_warning_, "client of request " + request_id +
                                 " left before the served response ended: exchange not compared");
}

void MirrorService::submit(CompletedExchange exchange, std::size_t held_bytes) {
  if (!exchange.shadow_side.error.empty()) {
    deps_.metrics
        ->counter("parity_mirror_failed_total",
                  {{"backend", config::to_string(config::other(exchange.served))},
                   {"reason", exchange.shadow_side.error.substr(0, exchange.shadow_side.error.find(':'))}},
                  "Mirrors whose shadow failed or timed out (recorded as shadow_error)")
        .inc();
    warn(shadow_error_warning_, "shadow " + std::string(config::to_string(config::other(exchange.served))) +
                                    " failed for request " + exchange.request_id + ": " + exchange.shadow_side.error);
  }
  auto job = std::make_shared<CompletedExchange>(std::move(exchange));
  bool queued = workers_.try_submit([this, job, held_bytes] {
    auto record = recorder_.record(*job);
    if (deps_.on_record) deps_.on_record(record);
    give_back_bytes(held_bytes);
    release_slot();
  });
  if (!queued) {
    give_back_bytes(held_bytes);
    release_slot();
    dropped_diff_full_.inc();
    warn(diff_full_warning_, "diff workers saturated: dropping a mirrored exchange unrecorded");
  }
}

}  // namespace parity::shadow
