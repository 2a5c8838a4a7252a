#include "gateway/server.h"

#include <boost/asio/signal_set.hpp>
#include <thread>

#include "config/url.h"
#include "gateway/server_state.h"
#include "gateway/tls_context.h"
#include "shadow/mirror.h"

namespace parity::gateway {

struct Server::Impl {
  Impl(std::shared_ptr<const config::Config> config, ServerDeps deps)
      : initial_config(std::move(config)), state(std::move(deps), nullptr) {}

  std::shared_ptr<const config::Config> initial_config;
  ServerState state;
  std::vector<std::unique_ptr<EventLoop>> loops;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::atomic<std::uint64_t> version{1};
  std::atomic<bool> stopping{false};
  std::mutex reload_mutex;  // serialises reloads (SIGHUP vs admin API)

  asio::awaitable<void> accept_loop();
  bool reload_config(std::shared_ptr<const config::Config> config, std::string& error);
  void handle_signals();
  void begin_drain();
  void finish_when_drained(std::chrono::steady_clock::time_point deadline);
};

Server::Server(std::shared_ptr<const config::Config> config, ServerDeps deps)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(deps))) {}

Server::~Server() = default;

bool Server::start(std::string& error) {
  auto& im = *impl_;
  const auto& cfg = *im.initial_config;
  auto snapshot = make_snapshot(im.initial_config, 1, nullptr, error);
  if (!snapshot) return false;
  im.state.snapshot.set(snapshot);
  if (!cfg.insecure_http) {
    im.state.server_tls = make_server_tls(cfg.tls, error);
    if (!im.state.server_tls) return false;
  }
  unsigned threads = cfg.threads > 0 ? static_cast<unsigned>(cfg.threads) : std::max(1u, std::thread::hardware_concurrency());
  std::mt19937_64 seeder(im.state.deps.seed);
  for (unsigned i = 0; i < threads; ++i) im.loops.push_back(std::make_unique<EventLoop>(seeder()));

  std::string reason;
  auto listen = config::parse_host_port(cfg.listen, reason);
  if (!listen) {
    error = "listen: " + reason;
    return false;
  }
  error_code ec;
  auto address = asio::ip::make_address(listen->host, ec);
  if (ec) {
    error = "listen: '" + listen->host + "' is not an IP address";
    return false;
  }
  tcp::endpoint endpoint(address, listen->port);
  im.acceptor = std::make_unique<tcp::acceptor>(im.loops[0]->io);
  im.acceptor->open(endpoint.protocol(), ec);
  if (!ec) im.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor->bind(endpoint, ec);
  if (!ec) im.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + cfg.listen + ": " + ec.message();
    return false;
  }
  auto& log = *im.state.deps.log;
  if (cfg.insecure_http) {
    log.warn("--insecure-http: serving PLAIN HTTP without TLS; for local development only");
  }
  log.info("listening on {}://{}:{} with {} event loop(s); serving {}", cfg.insecure_http ? "http" : "https",
           listen->host, port(), threads, config::to_string(cfg.serve));
  return true;
}

std::uint16_t Server::port() const {
  error_code ec;
  auto endpoint = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::shared_ptr<const Snapshot> Server::snapshot() const { return impl_->state.snapshot.get(); }

asio::awaitable<void> Server::Impl::accept_loop() {
  std::size_t next = 0;
  auto& metrics = *state.deps.metrics;
  auto& accepted = metrics.counter("parity_connections_accepted_total", {}, "Client connections accepted");
  auto& refused =
      metrics.counter("parity_connections_refused_total", {}, "Client connections closed at once: limits.max_connections");
  for (;;) {
    EventLoop& loop = *loops[next++ % loops.size()];
    error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(loop.io, await_ec(ec));
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: back off briefly instead of spinning.
      state.deps.log->warn("accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(await_ec(ec));
      continue;
    }
    const auto limit = state.snapshot.get()->config->limits.max_connections;
    if (static_cast<std::size_t>(state.connections.load()) >= limit) {
      refused.inc();
      socket.close(ec);
      continue;
    }
    accepted.inc();
    asio::co_spawn(loop.io, serve_connection(state, loop, std::move(socket)), asio::detached);
  }
}

void Server::Impl::handle_signals() {
  signals->async_wait([this](const error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (state.deps.reload_source) {
        auto result = state.deps.reload_source();
        if (!result.config) {
          state.deps.metrics->counter("parity_reloads_total", {{"result", "rejected"}}, "Configuration reloads").inc();
          state.deps.log->warn("SIGHUP: new configuration rejected, the old one stays in force:\n{}",
                               config::format_errors(result.errors));
        } else {
          std::string error;
          // Server::reload logs and counts the outcome.
          reload_config(std::make_shared<const config::Config>(std::move(*result.config)), error);
        }
      }
      handle_signals();
      return;
    }
    state.deps.log->info("signal {}: draining", signal);
    begin_drain();
  });
}

void Server::Impl::begin_drain() {
  if (stopping.exchange(true)) return;
  state.draining = true;
  error_code ignored;
  acceptor->close(ignored);
  signals->cancel(ignored);
  for (auto& loop : loops) {
    asio::post(loop->io, [l = loop.get()] {
      // Connections waiting for a next request close now; busy ones close after their response.
      for (auto* conn : l->connections) {
        if (conn->idle) conn->close();
      }
    });
  }
  auto grace = std::chrono::milliseconds(state.snapshot.get()->config->limits.drain_timeout_ms);
  finish_when_drained(std::chrono::steady_clock::now() + grace);
}

void Server::Impl::finish_when_drained(std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(loops[0]->io, std::chrono::milliseconds(20));
  timer->async_wait([this, timer, deadline](const error_code&) {
    // Mirrors in flight are part of the exchanges to finish: their records would be lost otherwise.
    bool drained = state.requests_in_flight.load() == 0 && (!state.deps.mirror || state.deps.mirror->in_flight() == 0);
    if (!drained && std::chrono::steady_clock::now() < deadline) {
      // Connections that finished their request may be idle now: close them too.
      for (auto& loop : loops) {
        asio::post(loop->io, [l = loop.get()] {
          for (auto* conn : l->connections) {
            if (conn->idle) conn->close();
          }
        });
      }
      finish_when_drained(deadline);
      return;
    }
    if (!drained) {
      state.deps.log->warn("drain timeout: {} request(s) and {} mirror(s) still in flight are cut",
                           state.requests_in_flight.load(), state.deps.mirror ? state.deps.mirror->in_flight() : 0);
    }
    for (auto& loop : loops) loop->io.stop();
  });
}

void Server::run() {
  auto& im = *impl_;
  im.signals = std::make_unique<asio::signal_set>(im.loops[0]->io, SIGTERM, SIGINT, SIGHUP);
  im.handle_signals();
  asio::co_spawn(im.loops[0]->io, im.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < im.loops.size(); ++i) {
    threads.emplace_back([&loop = *im.loops[i]] {
      auto guard = asio::make_work_guard(loop.io);
      loop.io.run();
    });
  }
  {
    auto guard = asio::make_work_guard(im.loops[0]->io);
    im.loops[0]->io.run();
  }
  for (auto& t : threads) t.join();
  im.state.deps.log->info("gateway stopped");
}

void Server::stop() {
  asio::post(impl_->loops[0]->io, [this] { impl_->begin_drain(); });
}

bool Server::Impl::reload_config(std::shared_ptr<const config::Config> config, std::string& error) {
  std::lock_guard lock(reload_mutex);
  auto& metrics = *state.deps.metrics;
  auto current = state.snapshot.get();
  const auto& before = *current->config;
  auto reject = [&](std::string reason) {
    error = std::move(reason);
    metrics.counter("parity_reloads_total", {{"result", "rejected"}}, "Configuration reloads").inc();
    state.deps.log->warn("reload rejected, the old configuration stays in force: {}", error);
    return false;
  };
  // The listener and its TLS identity are bound at start; changing them needs a restart.
  if (config->listen != before.listen || config->insecure_http != before.insecure_http) {
    return reject("listen and insecure_http cannot change on reload (restart the gateway)");
  }
  auto next = make_snapshot(config, version.fetch_add(1) + 1, current.get(), error);
  if (!next) return reject(error);
  state.snapshot.set(next);
  metrics.counter("parity_reloads_total", {{"result", "applied"}}, "Configuration reloads").inc();
  state.deps.log->info("configuration v{} applied: serve {} (was {})", next->version,
                       config::to_string(next->config->serve), config::to_string(before.serve));
  return true;
}

bool Server::reload(std::shared_ptr<const config::Config> config, std::string& error) {
  return impl_->reload_config(std::move(config), error);
}

}  // namespace parity::gateway
