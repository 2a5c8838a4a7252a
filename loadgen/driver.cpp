#include "loadgen/driver.h"

#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "gateway/asio.h"
#include "gateway/tls_context.h"
#include "gateway/upstream/pool_set.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::loadgen {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Counts the body and throws it away: the load generator must stay cheap per byte.
class DiscardBody : public upstream::ResponseHandler {
 public:
  std::uint64_t bytes = 0;
  asio::awaitable<bool> on_head(upstream::ResponseHead&) override { co_return true; }
  asio::awaitable<bool> on_body(std::string_view piece) override {
    bytes += piece.size();
    co_return true;
  }
  asio::awaitable<bool> on_end() override { co_return true; }
};

std::vector<upstream::Request> build_requests(const RequestMix& mix, const config::BackendConfig& backend) {
  std::vector<upstream::Request> out;
  for (const auto& e : mix.entries()) {
    upstream::Request r;
    r.version(11);
    r.method_string(bsv(e.request.method));
    r.target(bsv(backend.parsed.base_path + e.request.target));
    for (const auto& [name, value] : e.request.headers) {
      if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "connection") ||
          iequals(name, "transfer-encoding")) {
        continue;
      }
      r.insert(bsv(name), bsv(value));
    }
    r.set(http::field::host, upstream::host_header(backend.parsed));
    r.body() = e.request.body;
    r.prepare_payload();
    out.push_back(std::move(r));
  }
  return out;
}

// One event loop's share of a phase.
struct Loop {
  asio::io_context io{1};
  std::unique_ptr<upstream::Pool> pool;
  std::vector<upstream::Request> requests;
  std::vector<Tally> tallies;  // per mix entry
};

struct Shared {
  const RequestMix* mix;
  const PhaseSpec* spec;
  PhaseProgress* progress;
  SteadyClock::time_point start;
  SteadyClock::time_point deadline;
};

// Opens one connection (one request, not counted) so the measured phase starts with all of them open:
// connection set-up is not what is compared, and a burst of connects can overflow a small listen backlog
// (the SYN is retried after 1 s), which would show up as a spurious 1 s tail.
asio::awaitable<void> prime(Loop& loop, std::size_t which) {
  DiscardBody body;
  auto result = co_await loop.pool->send(loop.requests[which], body);
  (void)result;
}

asio::awaitable<void> worker(Loop& loop, const Shared& shared, int index) {
  std::mt19937_64 rng(shared.spec->seed * 1000003ULL + static_cast<std::uint64_t>(index));
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  asio::steady_timer timer(loop.io);
  const bool open = shared.spec->rate > 0;
  const auto interval = open ? std::chrono::duration_cast<SteadyClock::duration>(
                                   std::chrono::duration<double>(shared.spec->connections / shared.spec->rate))
                             : SteadyClock::duration{};
  auto intended = shared.start + (open ? std::chrono::duration_cast<SteadyClock::duration>(
                                              std::chrono::duration<double>(index / shared.spec->rate))
                                       : SteadyClock::duration{});
  for (;;) {
    auto now = SteadyClock::now();
    if (open) {
      if (intended >= shared.deadline) break;
      if (intended > now) {
        error_code ec;
        timer.expires_at(intended);
        co_await timer.async_wait(await_ec(ec));
      }
    } else {
      if (now >= shared.deadline) break;
      intended = now;
    }
    const std::size_t which = shared.mix->pick(uniform(rng));
    DiscardBody body;
    auto result = co_await loop.pool->send(loop.requests[which], body);
    const auto end = SteadyClock::now();
    Tally& t = loop.tallies[which];
    ++t.requests;
    t.bytes += body.bytes;
    bool failed = false;
    if (result.failure != upstream::Failure::none) {
      ++t.errors[upstream::to_string(result.failure)];
      failed = true;
    } else {
      ++t.responses;
      t.latency.record(std::chrono::duration_cast<std::chrono::microseconds>(end - intended).count());
      if (result.status >= 500) {
        ++t.errors["http_5xx"];
        failed = true;
      } else if (result.status >= 400) {
        ++t.status_4xx;
      }
    }
    shared.progress->done.fetch_add(1, std::memory_order_relaxed);
    if (failed) shared.progress->errors.fetch_add(1, std::memory_order_relaxed);
    if (result.failure == upstream::Failure::connect || result.failure == upstream::Failure::tls) {
      // The target refuses connections: back off instead of spinning on the failure.
      error_code ec;
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(await_ec(ec));
    }
    if (open) intended += interval;
  }
}

std::shared_ptr<asio::ssl::context> client_tls(const config::BackendConfig& backend, std::string& error) {
  if (backend.parsed.scheme != "https") return nullptr;
  return gateway::make_client_tls(backend, error);
}

}  // namespace

TargetRun run_phase(const RequestMix& mix, const PhaseSpec& spec, PhaseProgress& progress) {
  TargetRun run;
  run.url = spec.backend.url;
  std::string error;
  auto tls = client_tls(spec.backend, error);
  if (!error.empty()) {
    run.error = error;
    return run;
  }
  const int connections = std::max(1, spec.connections);
  const int threads = std::clamp(spec.threads, 1, connections);
  auto target = upstream::Target::from_backend(spec.backend);
  target.max_idle = static_cast<std::size_t>(connections);
  target.yield_before_read = true;  // many busy connections per loop: see upstream::Target

  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < threads; ++i) {
    auto loop = std::make_unique<Loop>();
    loop->pool = std::make_unique<upstream::Pool>(loop->io.get_executor(), target, tls);
    loop->requests = build_requests(mix, spec.backend);
    loop->tallies.resize(mix.entries().size());
    loops.push_back(std::move(loop));
  }
  auto run_loops = [&loops, threads] {
    std::vector<std::thread> pool_threads;
    for (int i = 1; i < threads; ++i) {
      pool_threads.emplace_back([&loops, i] { loops[static_cast<std::size_t>(i)]->io.run(); });
    }
    loops[0]->io.run();
    for (auto& t : pool_threads) t.join();
    for (auto& loop : loops) loop->io.restart();
  };
  for (int w = 0; w < connections; ++w) {
    Loop& loop = *loops[static_cast<std::size_t>(w % threads)];
    asio::co_spawn(loop.io, prime(loop, static_cast<std::size_t>(w) % loop.requests.size()), asio::detached);
  }
  run_loops();

  Shared shared{&mix, &spec, &progress, SteadyClock::now(), {}};
  shared.deadline = shared.start + spec.duration;
  for (int w = 0; w < connections; ++w) {
    Loop& loop = *loops[static_cast<std::size_t>(w % threads)];
    asio::co_spawn(loop.io, worker(loop, shared, w), asio::detached);
  }
  run_loops();
  const auto end = SteadyClock::now();

  run.measured = true;
  run.seconds = std::chrono::duration<double>(end - shared.start).count();
  for (auto& loop : loops) {
    loop->pool->close_idle();
    for (std::size_t i = 0; i < loop->tallies.size(); ++i) {
      run.overall.merge(loop->tallies[i]);
      run.endpoints[mix.entries()[i].endpoint].merge(loop->tallies[i]);
    }
  }
  return run;
}

namespace {

asio::awaitable<void> probe_once(upstream::Pool& pool, const upstream::Request& request, std::string& error) {
  auto response = co_await upstream::fetch(pool, request, 1 << 20);
  if (response.result.failure != upstream::Failure::none) error = response.result.error;
}

}  // namespace

std::string probe(const RequestMix& mix, const config::BackendConfig& backend) {
  std::string error;
  auto tls = client_tls(backend, error);
  if (!error.empty()) return error;
  if (mix.empty()) return "empty request mix";
  asio::io_context io{1};
  auto target = upstream::Target::from_backend(backend);
  upstream::Pool pool(io.get_executor(), target, tls);
  auto requests = build_requests(mix, backend);
  asio::co_spawn(io, probe_once(pool, requests.front(), error), asio::detached);
  io.run();
  return error;
}

}  // namespace parity::loadgen
