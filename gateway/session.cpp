// One coroutine per client connection: read a request, route it, proxy it to the served backend
// (streaming the response back), offer it to the mirror, log and count it.
#include <nlohmann/json.hpp>

#include "config/routes.h"
#include "core/http_message.h"
#include "core/time_format.h"
#include "gateway/client_writer.h"
#include "gateway/error_response.h"
#include "gateway/forwarding.h"
#include "gateway/health.h"
#include "gateway/request_id.h"
#include "gateway/server_state.h"
#include "shadow/mirror.h"
#include "shadow/traffic_capture.h"

namespace parity::gateway {
namespace {

using SteadyClock = std::chrono::steady_clock;
using ClientRequest = http::request<http::string_body>;

double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Decrements a counter when the request or connection ends, however it ends.
class CountGuard {
 public:
  explicit CountGuard(std::atomic<std::int64_t>& counter) : counter_(counter) { counter_.fetch_add(1); }
  ~CountGuard() { counter_.fetch_sub(1); }
  CountGuard(const CountGuard&) = delete;
  CountGuard& operator=(const CountGuard&) = delete;

 private:
  std::atomic<std::int64_t>& counter_;
};

struct Outcome {
  int status = 0;
  std::string route = "-";
  std::string backend = "-";
  std::uint64_t bytes = 0;
  double upstream_ms = 0;
  std::string error;
};

// Context of one connection, shared by its requests.
template <class Stream>
class Session {
 public:
  Session(ServerState& state, EventLoop& loop, Stream& stream, std::string peer, bool tls)
      : state_(state), loop_(loop), stream_(stream), peer_(std::move(peer)), tls_(tls) {}

  asio::awaitable<void> run() {
    ConnectionHandle handle;
    handle.close = [this] {
      error_code ignored;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    };
    auto registered = loop_.connections.insert(loop_.connections.end(), &handle);
    beast::flat_buffer buffer;
    for (;;) {
      if (state_.draining.load()) break;
      auto snapshot = state_.snapshot.get();
      const auto& limits = snapshot->config->limits;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
      parser.body_limit(limits.max_body_bytes);
      handle.idle = true;
      error_code ec;
      beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
      co_await http::async_read_header(stream_, buffer, parser, await_ec(ec));
      handle.idle = false;
      if (ec) {
        co_await reject_unreadable(ec, parser.get().version());
        break;
      }
      // The request is served on the snapshot in force when its head arrived, not the one taken
      // before the idle wait: a switch during keep-alive idleness applies to the next request.
      snapshot = state_.snapshot.get();
      if (!co_await handle_request(*snapshot, parser, buffer)) break;
    }
    loop_.connections.erase(registered);
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  // A request head that could not be read: answer what can be answered, then close.
  asio::awaitable<void> reject_unreadable(const error_code& ec, unsigned version) {
    if (ec == http::error::header_limit) {
      GatewayError error{431, "header_too_large", "request header fields too large"};
      co_await write_error(error, "-", version, false);
    } else if (ec == http::error::body_limit) {
      // A Content-Length over the limit is refused as soon as the head is read.
      GatewayError error{413, "body_too_large", "request body too large"};
      co_await write_error(error, "-", version, false);
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      GatewayError error{400, "bad_request", "malformed request: " + ec.message()};
      co_await write_error(error, "-", version, false);
    }
  }

  // Returns whether the connection can serve another request.
  asio::awaitable<bool> handle_request(const Snapshot& snapshot, http::request_parser<http::string_body>& parser,
                                       beast::flat_buffer& buffer) {
    CountGuard in_flight(state_.requests_in_flight);
    const auto& cfg = *snapshot.config;
    const auto start = SteadyClock::now();
    auto& head = parser.get();
    std::string request_id;
    if (auto it = head.find("X-Request-ID"); it != head.end() && is_valid_request_id(sv(it->value()))) {
      request_id = std::string(it->value());
    } else {
      request_id = new_request_id(loop_.random);
    }
    const unsigned version = head.version();
    error_code ec;
    if (iequals(sv(head[http::field::expect]), "100-continue") && !parser.is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()), await_ec(ec));
      if (ec) co_return false;
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(cfg.limits.request_timeout_ms));
    if (!parser.is_done()) co_await http::async_read(stream_, buffer, parser, await_ec(ec));
    Outcome outcome;
    bool keep = false;
    if (ec == http::error::body_limit) {
      outcome.status = 413;
      GatewayError error{413, "body_too_large",
                         "request body exceeds " + std::to_string(cfg.limits.max_body_bytes) + " bytes"};
      co_await write_error(error, request_id, version, false);
    } else if (ec) {
      co_return false;  // the client vanished or timed out mid-body: nothing to answer
    } else {
      ClientRequest request = parser.release();
      keep = co_await dispatch(snapshot, request, request_id, outcome);
    }
    account(cfg, sv(head.method_string()), request_id, outcome, ms_since(start));
    co_return keep && !state_.draining.load();
  }

  asio::awaitable<bool> dispatch(const Snapshot& snapshot, ClientRequest& request, const std::string& request_id,
                                 Outcome& outcome) {
    const auto& cfg = *snapshot.config;
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    std::string_view target = sv(request.target());
    std::string_view path = target.substr(0, target.find('?'));
    if (request.method() == http::verb::get && path == "/health") {
      auto report = co_await check_health(state_, loop_, snapshot);
      outcome = {report.status, "/health", "gateway", report.body.size(), 0, ""};
      co_return co_await write_local(report.status, "application/json", std::move(report.body), request_id, version,
                                     keep_alive);
    }
    if (request.method() == http::verb::get && path == "/metrics") {
      std::string text = state_.deps.metrics->render_prometheus();
      outcome = {200, "/metrics", "gateway", text.size(), 0, ""};
      co_return co_await write_local(200, "text/plain; version=0.0.4; charset=utf-8", std::move(text), request_id,
                                     version, keep_alive);
    }
    auto match = config::match_route(cfg.routes, sv(request.method_string()), target);
    if (!match) {
      outcome.status = 404;
      GatewayError error{404, "no_route",
                         "no route for " + std::string(sv(request.method_string())) + " " + std::string(path)};
      co_return co_await write_error(error, request_id, version, keep_alive);
    }
    const auto& route = cfg.routes[match->index];
    const auto served = cfg.serve;
    const auto& backend = cfg.backend(served);
    outcome.route = route.name;
    outcome.backend = config::to_string(served);

    std::string client_host(request[http::field::host]);
    remove_hop_by_hop(request.base());
    request.erase(http::field::expect);
    add_forwarded(request.base(), {peer_, tls_ ? "https" : "http", client_host});
    request.target(backend.parsed.base_path + match->upstream_target);
    request.set(http::field::host, upstream::host_header(backend.parsed));
    request.set("X-Request-ID", bsv(request_id));
    request.version(11);
    request.keep_alive(true);
    request.prepare_payload();

    std::shared_ptr<shadow::ServedCapture> capture;
    if (state_.deps.mirror || state_.deps.traffic_capture) {
      shadow::MirrorContext context{snapshot,
                                    route,
                                    request,
                                    match->upstream_target,
                                    request_id,
                                    loop_.mirror_pools,
                                    asio::any_io_executor(loop_.io.get_executor()),
                                    loop_.random,
                                    peer_};
      if (state_.deps.traffic_capture) state_.deps.traffic_capture->offer(context);
      if (state_.deps.mirror) capture = state_.deps.mirror->begin(context);
    }
    ClientWriter<Stream> writer(stream_, {.head_request = request.method() == http::verb::head,
                                          .keep_alive = keep_alive && !state_.draining.load(),
                                          .version = version,
                                          .request_id = request_id,
                                          .capture_limit = capture ? capture->max_body() : 0,
                                          .write_timeout = std::chrono::milliseconds(cfg.limits.idle_timeout_ms)});
    auto pool = loop_.pools.get(served, snapshot);
    auto result = co_await pool->send(request, writer);
    outcome.upstream_ms = static_cast<double>(result.latency.count()) / 1000.0;
    outcome.bytes = result.body_bytes;
    if (capture) capture->served(writer.take_capture(), result);
    if (served == config::Side::candidate && state_.deps.guard) {
      // Client-visible errors of the served candidate feed the guard (which may roll back to legacy).
      state_.deps.guard->observe_request(result.failure != upstream::Failure::none || result.status >= 500);
    }
    if (result.failure == upstream::Failure::none) {
      outcome.status = result.status;
      co_return writer.keep_alive();
    }
    outcome.error = result.error;
    if (result.head_received) {
      // Bytes already reached the client: the only honest signal left is closing the connection.
      outcome.status = result.status;
      state_.deps.log->warn("request {}: {} response cut short: {}", request_id, outcome.backend, result.error);
      co_return false;
    }
    const bool timeout = result.failure == upstream::Failure::timeout;
    outcome.status = timeout ? 504 : 502;
    state_.deps.log->warn("request {}: {} backend failed: {}", request_id, outcome.backend, result.error);
    GatewayError error{outcome.status, timeout ? "upstream_timeout" : "upstream_failed",
                       std::string(timeout ? "upstream timed out: " : "upstream failed: ") +
                           upstream::to_string(result.failure)};
    co_return co_await write_error(error, request_id, version, keep_alive);
  }

  asio::awaitable<bool> write_local(int status, std::string_view content_type, std::string body,
                                    std::string_view request_id, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, bsv(content_type));
    res.set("X-Request-ID", bsv(request_id));
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    keep_alive = keep_alive && !state_.draining.load();
    res.keep_alive(keep_alive);
    res.prepare_payload();
    error_code ec;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    co_await http::async_write(stream_, res, await_ec(ec));
    co_return !ec && keep_alive;
  }

  asio::awaitable<bool> write_error(const GatewayError& error, std::string_view request_id, unsigned version,
                                    bool keep_alive) {
    std::string body = error_body(error, request_id);
    co_return co_await write_local(error.status, "application/json", std::move(body), request_id,
                                   version == 10 ? 10 : 11, keep_alive);
  }

  void account(const config::Config& cfg, std::string_view method, const std::string& request_id,
               const Outcome& outcome, double latency_ms) {
    auto& metrics = *state_.deps.metrics;
    metrics
        .counter("parity_requests_total",
                 {{"route", outcome.route}, {"status", std::to_string(outcome.status)}, {"backend", outcome.backend}},
                 "Client requests by route, status and the backend that answered")
        .inc();
    metrics
        .histogram("parity_request_duration_ms", {{"route", outcome.route}, {"backend", outcome.backend}},
                   "Client request latency through the gateway, in milliseconds")
        .observe_ms(latency_ms);
    if (!cfg.access_log || !state_.deps.access_log) return;
    nlohmann::json line = {{"ts", format_rfc3339_ms(state_.deps.clock->now())},
                           {"request_id", request_id},
                           {"client", peer_},
                           {"method", method},
                           {"route", outcome.route},
                           {"status", outcome.status},
                           {"bytes", outcome.bytes},
                           {"latency_ms", latency_ms},
                           {"backend", outcome.backend},
                           {"upstream_ms", outcome.upstream_ms}};
    if (!outcome.error.empty()) line["error"] = outcome.error;
    state_.deps.access_log->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  ServerState& state_;
  EventLoop& loop_;
  Stream& stream_;
  std::string peer_;
  bool tls_;
};

}  // namespace

asio::awaitable<void> serve_connection(ServerState& state, EventLoop& loop, tcp::socket socket) {
  CountGuard connection(state.connections);
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto endpoint = socket.remote_endpoint(ec);
  std::string peer = ec ? "unknown" : endpoint.address().to_string();
  const auto handshake_timeout =
      std::chrono::milliseconds(state.snapshot.get()->config->limits.request_timeout_ms);
  if (!state.server_tls) {
    beast::tcp_stream stream(std::move(socket));
    Session<beast::tcp_stream> session(state, loop, stream, peer, false);
    co_await session.run();
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *state.server_tls);
  beast::get_lowest_layer(stream).expires_after(handshake_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, await_ec(ec));
  if (ec) {
    state.deps.metrics->counter("parity_tls_handshake_failures_total", {}, "Failed client TLS handshakes").inc();
    co_return;
  }
  Session<beast::ssl_stream<beast::tcp_stream>> session(state, loop, stream, peer, true);
  co_await session.run();
}

}  // namespace parity::gateway
