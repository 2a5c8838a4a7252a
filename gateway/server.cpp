#include "gateway/server.h"

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>

#include "config/url.h"
#include "core/thread_name.h"
#include "gateway/admin_server.h"
#include "gateway/health_checks.h"
#include "gateway/server_state.h"
#include "gateway/tls_context.h"
#include "report/live_aggregates.h"
#include "shadow/mirror.h"
#include "store/audit_log.h"

namespace parity::gateway {

// What the admin API acts on: the control path plus the read-only views of the running gateway.
class GatewayAdminTarget final : public AdminTarget {
 public:
  GatewayAdminTarget(Control& control, const ServerDeps& deps)
      : control_(control), deps_(deps), started_(deps.clock->steady_now()) {}

  nlohmann::json status() override {
    auto out = control_.status();
    auto& m = *deps_.metrics;
    out["instance"] = deps_.instance;
    out["uptime_s"] = std::chrono::duration<double>(deps_.clock->steady_now() - started_).count();
    out["counters"] = {{"requests", m.counter_total("parity_requests_total")},
                       {"mirrored", m.counter_total("parity_mirrored_total")},
                       {"dropped", m.counter_total("parity_mirror_dropped_total")},
                       {"mirror_failed", m.counter_total("parity_mirror_failed_total")},
                       {"reloads", m.counter_total("parity_reloads_total")},
                       {"serve_switches", m.counter_total("parity_serve_switches_total")},
                       {"guard_trips", m.counter_total("parity_guard_trips_total")},
                       {"admin_unauthorized", m.counter_total("parity_admin_unauthorized_total")},
                       {"rejected", m.counter_total("parity_rejected_total")},
                       {"audit_write_failures", m.counter_total("parity_audit_write_failures_total")}};
    return out;
  }
  nlohmann::json aggregates() override { return deps_.live ? deps_.live->to_json() : nlohmann::json::object(); }
  ChangeResult set_serve(config::Side serve, const Actor& actor, const std::string& reason) override {
    return control_.set_serve(serve, actor, reason);
  }
  ChangeResult set_mirror(bool enabled, const Actor& actor, const std::string& reason) override {
    return control_.set_mirror(enabled, actor, reason);
  }
  ChangeResult reload(const Actor& actor, const std::string& reason) override {
    return control_.reload(actor, reason.empty() ? "admin API reload" : reason);
  }

 private:
  Control& control_;
  const ServerDeps& deps_;
  std::chrono::steady_clock::time_point started_;
};

struct Server::Impl {
  Impl(std::shared_ptr<const config::Config> config, ServerDeps deps)
      : initial_config(std::move(config)),
        state(std::move(deps), nullptr),
        audit(initial_config->store.path, state.deps.log,
              &state.deps.metrics->counter("parity_audit_write_failures_total", {},
                                           "Audit lines (audit.jsonl) that could not be written")),
        control(state.snapshot, {state.deps.log, state.deps.metrics, state.deps.clock, state.deps.reload_source,
                                 &audit, state.deps.guard}),
        admin_target(control, state.deps) {}

  std::shared_ptr<const config::Config> initial_config;
  ServerState state;
  store::AuditLog audit;
  Control control;
  GatewayAdminTarget admin_target;
  std::unique_ptr<AdminApi> admin_api;
  std::unique_ptr<AdminServer> admin_server;  // null when no admin token is configured
  std::vector<std::unique_ptr<EventLoop>> loops;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::atomic<bool> stopping{false};

  asio::awaitable<void> accept_loop();
  bool start_admin(std::string& error);
  void handle_signals();
  void begin_drain();
  void finish_when_drained(std::chrono::steady_clock::time_point deadline);
};

Server::Server(std::shared_ptr<const config::Config> config, ServerDeps deps)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(deps))) {}

Server::~Server() {
  if (impl_->admin_server) impl_->admin_server->stop();
  if (impl_->state.deps.guard) impl_->state.deps.guard->set_trip_handler(nullptr);
}

bool Server::start(std::string& error) {
  auto& im = *impl_;
  const auto& cfg = *im.initial_config;
  if (!im.control.init(im.initial_config, error)) return false;
  if (im.state.deps.guard) {
    // Runs on the thread whose observation tripped the guard (an event loop or a diff worker): one
    // snapshot swap and one audit line, then it is disarmed until the candidate is served again.
    im.state.deps.guard->set_trip_handler([&im](const std::string& reason) { im.control.guard_rollback(reason); });
  }
  // The listener's TLS context is part of the snapshot (control.init built it): reloads renew it.
  unsigned threads = cfg.threads > 0 ? static_cast<unsigned>(cfg.threads) : std::max(1u, std::thread::hardware_concurrency());
  std::mt19937_64 seeder(im.state.deps.seed);
  for (unsigned i = 0; i < threads; ++i) {
    im.loops.push_back(std::make_unique<EventLoop>(seeder(), &im.state.instances, *im.state.deps.metrics));
  }

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
  return im.start_admin(error);
}

bool Server::Impl::start_admin(std::string& error) {
  const auto& admin = initial_config->admin;
  auto token = state.deps.env ? state.deps.env(admin.token_env.c_str()) : std::nullopt;
  if (!token || token->empty()) {
    state.deps.log->info("admin API off: no token in ${} (set it to enable the admin API on {})", admin.token_env,
                         admin.listen);
    return true;
  }
  admin_api = std::make_unique<AdminApi>(admin_target, *token, *state.deps.metrics, state.deps.log);
  admin_server = std::make_unique<AdminServer>(*admin_api, state.deps.log);
  return admin_server->start(admin.listen, error);
}

std::uint16_t Server::admin_port() const { return impl_->admin_server ? impl_->admin_server->port() : 0; }

Control& Server::control() { return impl_->control; }

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
      auto peer = socket.remote_endpoint(ec);
      state.rejected("max_connections", ec ? "unknown" : peer.address().to_string(),
                     "limits.max_connections (" + std::to_string(limit) + ") reached");
      socket.close(ec);
      continue;
    }
    accepted.inc();
    asio::co_spawn(loop.io, serve_connection(state, loop, std::move(socket)), asio::detached);
  }
}

void ServerState::rejected(std::string_view reason, std::string_view client, std::string_view detail) {
  deps.metrics
      ->counter("parity_rejected_total", {{"reason", std::string(reason)}},
                "Requests and connections refused by the gateway's protections, by reason")
      .inc();
  WarningThrottle* throttle = nullptr;
  {
    std::lock_guard lock(rejection_logs_mutex);
    auto it = rejection_logs.find(reason);
    if (it == rejection_logs.end()) {
      it = rejection_logs.emplace(std::string(reason), std::make_unique<WarningThrottle>(std::chrono::seconds(10))).first;
    }
    throttle = it->second.get();
  }
  if (auto held = throttle->admit(deps.clock->steady_now())) {
    deps.log->warn("rejected ({}) from {}: {}{}", reason, client, detail,
                   *held ? " (" + std::to_string(*held) + " similar rejection(s) not logged)" : std::string());
  }
}

void Server::Impl::handle_signals() {
  signals->async_wait([this](const error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      // Control logs, counts and audits the outcome (applied or rejected with every error).
      if (state.deps.reload_source) control.reload({"sighup", ""}, "SIGHUP");
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
  // No switch or reload while draining; joins the admin threads (none of them waits on a loop).
  if (admin_server) admin_server->stop();
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

namespace {

// Closes the pooled backend connections nobody will reuse (PoolSet::sweep_idle), once a second.
asio::awaitable<void> sweep_idle_connections(EventLoop& loop) {
  asio::steady_timer timer(loop.io);
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    error_code ec;
    co_await timer.async_wait(await_ec(ec));
    if (ec) co_return;
    auto now = std::chrono::steady_clock::now();
    loop.pools.sweep_idle(now);
    loop.mirror_pools.sweep_idle(now);
  }
}

}  // namespace

void Server::run() {
  auto& im = *impl_;
  // The client TLS socket (tls_socket.h) writes through OpenSSL, whose write() to a client that has
  // gone raises SIGPIPE; as nginx does, the gateway takes that as the EPIPE it also returns.
  std::signal(SIGPIPE, SIG_IGN);
  im.signals = std::make_unique<asio::signal_set>(im.loops[0]->io, SIGTERM, SIGINT, SIGHUP);
  im.handle_signals();
  asio::co_spawn(im.loops[0]->io, im.accept_loop(), asio::detached);
  asio::co_spawn(im.loops[0]->io, run_health_checks(im.state, *im.loops[0]), asio::detached);
  for (auto& loop : im.loops) asio::co_spawn(loop->io, sweep_idle_connections(*loop), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < im.loops.size(); ++i) {
    threads.emplace_back([&loop = *im.loops[i], i] {
      name_this_thread("parity-loop-" + std::to_string(i));
      auto guard = asio::make_work_guard(loop.io);
      loop.io.run();
    });
  }
  {
    name_this_thread("parity-loop-0");
    auto guard = asio::make_work_guard(im.loops[0]->io);
    im.loops[0]->io.run();
  }
  for (auto& t : threads) t.join();
  im.state.deps.log->info("gateway stopped");
}

void Server::stop() {
  asio::post(impl_->loops[0]->io, [this] { impl_->begin_drain(); });
}

bool Server::reload(std::shared_ptr<const config::Config> config, std::string& error) {
  auto result = impl_->control.apply_config(std::move(config), {"api", ""}, "");
  if (result.status == ChangeResult::Status::rejected) {
    error = config::format_errors(result.errors);
    return false;
  }
  return true;
}

}  // namespace parity::gateway
