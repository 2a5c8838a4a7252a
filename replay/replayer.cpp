#include "replay/replayer.h"

#include <memory>
#include <optional>
#include <random>

#include "gateway/asio.h"  // first: <utility> before the Asio headers (Boost 1.74)

#include <boost/asio/this_coro.hpp>

#include "gateway/tls_context.h"
#include "gateway/upstream/plain_response.h"
#include "gateway/upstream/pool_set.h"
#include "gateway/upstream/upstream_pool.h"
#include "replay/replay_plan.h"
#include "shadow/mirror_policy.h"

namespace parity::replay {
namespace {

using config::Side;

struct Run {
  const ReplayJob& job;
  shadow::ExchangeRecorder& recorder;
  const Clock& clock;
  const std::function<void(const ReplayProgress&)>& on_progress;
  ReplaySummary& summary;
  std::vector<std::vector<std::size_t>> lanes;
  std::size_t next_lane = 0;
  std::optional<std::chrono::system_clock::time_point> first_ts;
  std::chrono::steady_clock::time_point start;
  std::unique_ptr<upstream::Pool> legacy;
  std::unique_ptr<upstream::Pool> candidate;
  std::mt19937_64 random;
  ReplayProgress progress;
};

upstream::Request build_request(const store::TrafficRequest& traffic, const config::BackendConfig& backend,
                                const Headers& extra, const std::string& request_id) {
  const auto& plain = traffic.request;
  upstream::Request req;
  req.method_string(bsv(plain.method));
  req.target(bsv(backend.parsed.base_path + plain.target));
  req.version(11);
  for (const auto& [name, value] : plain.headers) req.insert(bsv(name), bsv(value));
  for (const auto& [name, value] : extra) req.set(bsv(name), bsv(value));
  req.set(http::field::host, upstream::host_header(backend.parsed));
  req.set("X-Request-ID", bsv(request_id));
  req.set("X-Parity-Replay", "1");
  req.keep_alive(true);
  req.body() = plain.body;
  req.prepare_payload();
  return req;
}

asio::awaitable<shadow::SideOutcome> send_side(upstream::Pool& pool, const upstream::Request& request,
                                               std::size_t max_body) {
  auto response = co_await upstream::fetch(pool, request, max_body);
  shadow::SideOutcome side;
  side.latency_ms = static_cast<double>(response.result.latency.count()) / 1000.0;
  side.bytes = response.result.body_bytes;
  if (response.result.failure != upstream::Failure::none) {
    side.error = std::string(upstream::to_string(response.result.failure)) + ": " + response.result.error;
  }
  if (response.result.head_received) {
    side.response = upstream::to_plain(response.head, std::move(response.body), response.truncated);
  }
  co_return side;
}

struct BothSides {
  shadow::SideOutcome legacy;
  shadow::SideOutcome candidate;
};

// For a coroutine spawned apart: it shares the ownership of its request.
asio::awaitable<shadow::SideOutcome> send_owned(upstream::Pool& pool,
                                                std::shared_ptr<const upstream::Request> request,
                                                std::size_t max_body) {
  auto side = co_await send_side(pool, *request, max_body);
  co_return side;
}

// Both sides at once, as the gateway's mirror does: a request costs the slower side's time, not the sum,
// and the candidate gets each request when the capture says it was made, not after legacy has answered.
asio::awaitable<BothSides> send_both(Run& run, const upstream::Request& legacy_request,
                                     const std::shared_ptr<const upstream::Request>& candidate_request) {
  auto executor = co_await asio::this_coro::executor;
  // The io_context has one thread: the completion below and this coroutine never run at the same time.
  struct Candidate {
    std::optional<shadow::SideOutcome> outcome;
    asio::steady_timer done;
  };
  auto candidate = std::make_shared<Candidate>(
      Candidate{std::nullopt, asio::steady_timer(executor, asio::steady_timer::time_point::max())});
  asio::co_spawn(executor,
                 send_owned(*run.candidate, candidate_request, run.job.max_body),
                 [candidate](std::exception_ptr failed, shadow::SideOutcome side) {
                   if (failed) side.error = "internal: the candidate request failed unexpectedly";
                   candidate->outcome = std::move(side);
                   candidate->done.cancel();
                 });
  auto legacy = co_await send_side(*run.legacy, legacy_request, run.job.max_body);
  if (!candidate->outcome) {
    error_code ec;  // operation_aborted: the candidate side has finished
    co_await candidate->done.async_wait(await_ec(ec));
  }
  BothSides both{std::move(legacy), std::move(*candidate->outcome)};
  co_return both;
}

void note_failure(Run& run, const char* side, const shadow::SideOutcome& outcome) {
  if (outcome.error.empty()) return;
  ++run.summary.side_failures[std::string(side) + ": " + outcome.error];
}

asio::awaitable<void> replay_one(Run& run, std::size_t index) {
  const auto& traffic = run.job.requests[index];
  const auto& cfg = *run.job.config;
  const std::string request_id =
      traffic.request_id.empty() ? "replay-" + std::to_string(index + 1) : traffic.request_id;
  shadow::CompletedExchange exchange;
  exchange.config = run.job.config;
  exchange.started = run.clock.now();
  exchange.request_id = request_id;
  exchange.method = traffic.request.method;
  exchange.route = report_route(traffic);
  exchange.target = traffic.request.target;
  exchange.served = Side::legacy;
  const auto legacy_request = build_request(traffic, cfg.legacy, run.job.extra_headers, request_id);
  // Shared with the candidate side's own coroutine (send_both), which may outlive this frame on an exception.
  const auto candidate_request = std::make_shared<const upstream::Request>(
      build_request(traffic, cfg.candidate, run.job.extra_headers, request_id));
  // Named arguments and results: GCC 12 may destroy temporaries inside a co_await expression twice.
  auto both = co_await send_both(run, legacy_request, candidate_request);
  note_failure(run, "legacy", both.legacy);
  note_failure(run, "candidate", both.candidate);
  exchange.served_side = std::move(both.legacy);
  exchange.shadow_side = std::move(both.candidate);
  const auto& noise = cfg.compare.noise;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  if (noise.learn && shadow::is_safe_method(traffic.request.method) &&
      uniform(run.random) * 100.0 < noise.resample_percent) {
    auto again = co_await send_side(*run.legacy, legacy_request, run.job.max_body);
    exchange.legacy_again = std::move(again);
  }
  // Compared on the loop: replay is offline, and this keeps the one Pool per loop rule simple.
  const auto record = run.recorder.record(exchange);
  auto& s = run.summary;
  s.verdicts.add(record.verdict);
  run.progress.mismatch = s.verdicts.mismatch;
  run.progress.error = s.verdicts.error;
}

asio::awaitable<void> worker(Run& run) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (run.next_lane < run.lanes.size()) {
    const auto& lane = run.lanes[run.next_lane++];
    for (std::size_t index : lane) {
      const auto& traffic = run.job.requests[index];
      if (traffic.body_truncated) {
        ++run.summary.skipped_truncated;
      } else {
        if (run.job.speed > 0) {
          timer.expires_at(run.start + due_offset(traffic, run.first_ts, run.job.speed));
          error_code ec;
          co_await timer.async_wait(await_ec(ec));
        }
        co_await replay_one(run, index);
      }
      ++run.progress.done;
      if (run.on_progress) run.on_progress(run.progress);
    }
  }
}

std::unique_ptr<upstream::Pool> make_pool(asio::io_context& io, const config::BackendConfig& backend,
                                          std::size_t concurrency, std::string& error) {
  std::shared_ptr<asio::ssl::context> tls;
  if (backend.parsed.scheme == "https") {
    tls = gateway::make_client_tls(backend, error);
    if (!tls) return nullptr;
  }
  auto target = upstream::Target::from_backend(backend);
  target.max_idle = std::max<std::size_t>(target.max_idle, concurrency);
  return std::make_unique<upstream::Pool>(io.get_executor(), target, tls);
}

}  // namespace

bool run_replay(const ReplayJob& job, shadow::ExchangeRecorder& recorder, const Clock& clock,
                const std::function<void(const ReplayProgress&)>& on_progress, ReplaySummary& summary,
                std::string& error) {
  asio::io_context io{1};
  Run run{job, recorder, clock, on_progress, summary, plan_lanes(job.requests, job.keep_order), 0,
          earliest_ts(job.requests), std::chrono::steady_clock::now(), nullptr, nullptr,
          std::mt19937_64(job.seed), {}};
  run.progress.total = job.requests.size();
  run.legacy = make_pool(io, job.config->legacy, job.concurrency, error);
  if (!run.legacy) {
    error = "legacy: " + error;
    return false;
  }
  run.candidate = make_pool(io, job.config->candidate, job.concurrency, error);
  if (!run.candidate) {
    error = "candidate: " + error;
    return false;
  }
  const std::size_t workers = std::max<std::size_t>(1, std::min(job.concurrency, run.lanes.size()));
  run.start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(io, worker(run), asio::detached);
  io.run();
  run.legacy->close_idle();
  run.candidate->close_idle();
  return true;
}

}  // namespace parity::replay
