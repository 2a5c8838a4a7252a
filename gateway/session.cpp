// One coroutine per client connection: read a request, route it, proxy it to the served backend
// (streaming the response back), offer it to the mirror, log and count it.
#include <nlohmann/json.hpp>

#include "config/routes.h"
#include "core/http_message.h"
#include "core/time_format.h"
#include "gateway/client_address.h"
#include "gateway/client_writer.h"
#include "gateway/error_response.h"
#include "gateway/forwarding.h"
#include "gateway/health.h"
#include "gateway/request_id.h"
#include "gateway/upstream/retry_policy.h"
#include "gateway/server_state.h"
#include "gateway/timed_socket.h"
#include "gateway/tls_socket.h"
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

// What a connection reads at a time while it waits for a request, and at most at a time while it
// reads a request body of known length. Beast reads into the buffer only as much as it has room for:
// left at 4 KiB, a 1 MB upload was 256 reads (each an SSL_read and a posted completion) where a 16 KiB
// TLS record needs one. The larger room is let go once the request is read, so an idle connection
// keeps 4 KiB at most.
constexpr std::size_t kIdleRead = 4096;
constexpr std::size_t kBodyRead = 64 * 1024;

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
      // Idle until the first byte of a request (limits.idle_timeout_ms); from there the whole head
      // and body must arrive within limits.request_timeout_ms, so a slow-loris client trickling bytes
      // is cut however it paces them. Each connection is its own coroutine: others are not held up.
      beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
      if (buffer.size() == 0) {
        if (buffer.capacity() > kIdleRead) buffer.shrink_to_fit();  // empty: frees it (kBodyRead)
        std::size_t n = co_await stream_.async_read_some(buffer.prepare(kIdleRead), await_ec(ec));
        buffer.commit(n);
        if (ec) break;  // idle timeout, or the client closed: nothing to answer
      }
      handle.idle = false;
      beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(limits.request_timeout_ms));
      co_await http::async_read_header(stream_, buffer, parser, await_ec(ec));
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
    if (ec == beast::error::timeout) {
      // The stream closed the socket when the deadline passed: count it, nothing can be written.
      state_.rejected("request_timeout", peer_, "request head not complete within limits.request_timeout_ms");
    } else if (ec == http::error::header_limit) {
      state_.rejected("header_too_large", peer_, "request head over limits.max_header_bytes");
      GatewayError error{431, "header_too_large", "request header fields too large"};
      co_await write_error(error, "-", version, false);
    } else if (ec == http::error::body_limit) {
      // A Content-Length over the limit is refused as soon as the head is read.
      state_.rejected("body_too_large", peer_, "Content-Length over limits.max_body_bytes");
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
    client_ = cfg.trusted_proxies.empty() ? peer_
                                          : client_address(peer_, forwarded_for_chain(head), cfg.trusted_proxies);
    std::string request_id;
    if (auto it = head.find("X-Request-ID"); it != head.end() && is_valid_request_id(sv(it->value()))) {
      request_id = std::string(it->value());
    } else {
      request_id = new_request_id(loop_.random);
    }
    const unsigned version = head.version();
    response_headers_.clear();
    if (auto refused = co_await apply_protections(snapshot, head, request_id, start)) co_return *refused && parser.is_done();
    error_code ec;
    if (iequals(sv(head[http::field::expect]), "100-continue") && !parser.is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()), await_ec(ec));
      if (ec) co_return false;
    }
    // Reading the body stays under the deadline set when the request's first byte arrived.
    if (!parser.is_done()) {
      if (auto left = parser.content_length_remaining()) {
        buffer.reserve(buffer.size() + static_cast<std::size_t>(std::min<std::uint64_t>(*left, kBodyRead)));
      }
      co_await http::async_read(stream_, buffer, parser, await_ec(ec));
    }
    Outcome outcome;
    bool keep = false;
    if (ec == http::error::body_limit) {
      outcome.status = 413;
      state_.rejected("body_too_large", peer_, "request body over limits.max_body_bytes");
      GatewayError error{413, "body_too_large",
                         "request body exceeds " + std::to_string(cfg.limits.max_body_bytes) + " bytes"};
      co_await write_error(error, request_id, version, false);
    } else if (ec) {
      if (ec == beast::error::timeout) {
        state_.rejected("request_timeout", peer_, "request body not complete within limits.request_timeout_ms");
      }
      co_return false;  // the client vanished or timed out mid-body: nothing to answer
    } else {
      ClientRequest request = parser.release();
      keep = co_await dispatch(snapshot, request, request_id, outcome);
    }
    account(cfg, sv(head.method_string()), request_id, outcome, ms_since(start));
    co_return keep && !state_.draining.load();
  }

  // The gateway's protections, on the request head before its body is read: header count, CORS
  // preflight, access (API key / JWT) and rate limits. Returns nullopt to let the request through
  // (with CORS headers for its response in response_headers_), or whether the connection may serve
  // another request after the gateway answered it.
  asio::awaitable<std::optional<bool>> apply_protections(const Snapshot& snapshot, const ClientRequest& head,
                                                         const std::string& request_id, SteadyClock::time_point start) {
    const auto& cfg = *snapshot.config;
    Outcome outcome;
    const unsigned version = head.version();
    const auto header_count = static_cast<std::size_t>(std::distance(head.begin(), head.end()));
    if (header_count > cfg.limits.max_header_count) {
      state_.rejected("too_many_headers", peer_,
                      std::to_string(header_count) + " header fields, over limits.max_header_count");
      outcome.status = 431;
      GatewayError error{431, "too_many_headers",
                         "more than " + std::to_string(cfg.limits.max_header_count) + " request header fields"};
      co_await write_error(error, request_id, version, false);
      account(cfg, sv(head.method_string()), request_id, outcome, ms_since(start));
      co_return false;
    }
    std::string_view target = sv(head.target());
    std::string_view path = target.substr(0, target.find('?'));
    if (head.method() == http::verb::get && (path == "/health" || path == "/metrics")) co_return std::nullopt;
    auto match = config::match_route(cfg.routes, sv(head.method_string()), target);
    std::string_view api_key;
    if (snapshot.protect->api_keys) api_key = sv(head[bsv(snapshot.protect->api_key_header)]);
    protect::RequestFacts facts{sv(head.method_string()),
                                match ? std::string_view(cfg.routes[match->index].name) : std::string_view(),
                                client_,
                                sv(head[http::field::origin]),
                                sv(head[http::field::authorization]),
                                api_key,
                                sv(head[http::field::access_control_request_method]),
                                sv(head[http::field::access_control_request_headers])};
    auto admission = protect::admit(cfg, *snapshot.protect, state_.rate_limiter, facts, state_.deps.clock->now(),
                                    state_.deps.clock->steady_now());
    response_headers_ = std::move(admission.headers);
    const auto overflows = state_.rate_limiter.overflows();
    if (overflows != state_.rate_limit_overflows_seen.exchange(overflows)) {
      // Degraded: the bucket table was full of active keys and was cleared (the limiter failed open).
      state_.deps.metrics
          ->counter("parity_rate_limit_overflows_total", {},
                    "Times the rate limiter's table was full of active keys and was cleared (limits reset)")
          .inc();
      state_.deps.log->warn("rate limiter: table full of active keys (a flood of distinct clients?): cleared");
    }
    if (admission.status == 0) co_return std::nullopt;
    outcome.status = admission.status;
    if (match) outcome.route = cfg.routes[match->index].name;
    bool keep = false;
    if (admission.status == 204) {
      outcome.backend = "gateway";
      std::string no_body;
      keep = co_await write_local(204, "", std::move(no_body), request_id, version, head.keep_alive());
    } else {
      state_.rejected(admission.reason, client_, admission.message);
      GatewayError error{admission.status, admission.type, admission.message};
      keep = co_await write_error(error, request_id, version, head.keep_alive());
    }
    account(cfg, sv(head.method_string()), request_id, outcome, ms_since(start));
    co_return keep;
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
    outcome.route = route.name;
    outcome.backend = config::to_string(served);

    std::string client_host(request[http::field::host]);
    remove_hop_by_hop(request.base());
    request.erase(http::field::expect);
    add_forwarded(request.base(), {peer_, tls_ ? "https" : "http", client_host});
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
                                    client_};
      if (state_.deps.traffic_capture) state_.deps.traffic_capture->offer(context);
      if (state_.deps.mirror) capture = state_.deps.mirror->begin(context);
    }
    // What the capture keeps of the served body is charged to the mirror's byte budget as it arrives.
    upstream::MayKeep may_keep;
    if (capture) may_keep = [&capture](std::size_t bytes) { return capture->keep(bytes); };
    ClientWriter<Stream> writer(stream_, {.head_request = request.method() == http::verb::head,
                                          .keep_alive = keep_alive && !state_.draining.load(),
                                          .version = version,
                                          .request_id = request_id,
                                          .capture_limit = capture ? capture->max_body() : 0,
                                          .may_keep = std::move(may_keep),
                                          .write_timeout = std::chrono::milliseconds(cfg.limits.idle_timeout_ms),
                                          .extra_headers = response_headers_});
    auto result = co_await send_with_retries(snapshot, request, match->upstream_target, writer, request_id);
    if (!result) {
      // Every instance's circuit breaker is open: fail fast without touching the backend.
      outcome.status = 503;
      outcome.error = "no instance available (circuit open)";
      if (capture) capture->served({}, upstream::Result{upstream::Failure::connect, outcome.error});
      GatewayError error{503, "upstream_unavailable",
                         std::string("no instance of ") + config::to_string(served) +
                             " is available (circuit breaker open)"};
      co_return co_await write_error(error, request_id, version, keep_alive);
    }
    outcome.upstream_ms = static_cast<double>(result->latency.count()) / 1000.0;
    outcome.bytes = result->body_bytes;
    if (capture) capture->served(writer.take_capture(), *result);
    if (served == config::Side::candidate && state_.deps.guard) {
      // Client-visible errors of the served candidate feed the guard (which may roll back to legacy).
      state_.deps.guard->observe_request(result->failure != upstream::Failure::none || result->status >= 500);
    }
    if (result->failure == upstream::Failure::none) {
      outcome.status = result->status;
      co_return writer.keep_alive();
    }
    outcome.error = result->error;
    if (result->head_received) {
      // Bytes already reached the client: the only honest signal left is closing the connection.
      outcome.status = result->status;
      state_.deps.log->warn("request {}: {} response cut short: {}", request_id, outcome.backend, result->error);
      co_return false;
    }
    const bool timeout = result->failure == upstream::Failure::timeout;
    outcome.status = timeout ? 504 : 502;
    state_.deps.log->warn("request {}: {} backend failed: {}", request_id, outcome.backend, result->error);
    GatewayError error{outcome.status, timeout ? "upstream_timeout" : "upstream_failed",
                       std::string(timeout ? "upstream timed out: " : "upstream failed: ") +
                           upstream::to_string(result->failure)};
    co_return co_await write_error(error, request_id, version, keep_alive);
  }

  // Sends to an instance of the served backend chosen by its balancing policy, and again (after a
  // backoff, on another instance when there is one) while the retry policy allows: only idempotent
  // methods, only when no response byte reached the client. nullopt when every breaker is open.
  template <class Handler>
  asio::awaitable<std::optional<upstream::Result>> send_with_retries(const Snapshot& snapshot, ClientRequest& request,
                                                                     const std::string& upstream_target,
                                                                     Handler& writer, const std::string& request_id) {
    const auto served = snapshot.config->serve;
    const auto& backend = snapshot.config->backend(served);
    const std::string method(sv(request.method_string()));
    std::vector<std::size_t> tried;
    std::optional<upstream::Result> last;
    for (int attempt = 1;; ++attempt) {
      auto pick = loop_.pools.pick(served, snapshot, std::nullopt, tried);
      if (!pick) {
        state_.deps.metrics
            ->counter("parity_upstream_unavailable_total", {{"backend", config::to_string(served)}},
                      "Requests refused because every instance's circuit breaker was open")
            .inc();
        state_.deps.log->warn("request {}: every instance of {} has its circuit open", request_id,
                              config::to_string(served));
        co_return last;  // after a failed attempt: report that failure rather than 503
      }
      tried.push_back(pick->index);
      request.target(pick->instance->parsed.base_path + upstream_target);
      request.set(http::field::host, upstream::host_header(pick->instance->parsed));
      upstream::Result result = co_await pick->pool->send(request, writer);
      loop_.pools.report(*pick, result);
      std::uniform_real_distribution<double> uniform(0.0, 1.0);
      bool failed = result.failure != upstream::Failure::none && result.failure != upstream::Failure::aborted;
      auto decision = upstream::decide_retry(backend.retries, attempt, method, {failed, result.head_received},
                                             uniform(loop_.random));
      last = std::move(result);
      if (!decision.retry || state_.draining.load()) co_return last;
      state_.deps.metrics
          ->counter("parity_upstream_retries_total", {{"backend", config::to_string(served)}},
                    "Requests sent again after a failure before any response byte reached the client")
          .inc();
      state_.deps.log->warn("request {}: {} instance {} failed ({}); retry {} of {} in {} ms", request_id,
                            config::to_string(served), pick->instance->url, last->error, attempt,
                            backend.retries.attempts, decision.backoff.count());
      asio::steady_timer timer(loop_.io.get_executor(), decision.backoff);
      error_code ec;
      co_await timer.async_wait(await_ec(ec));
    }
  }

  asio::awaitable<bool> write_local(int status, std::string_view content_type, std::string body,
                                    std::string_view request_id, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    if (!content_type.empty()) res.set(http::field::content_type, bsv(content_type));
    for (const auto& [name, value] : response_headers_) res.set(bsv(name), bsv(value));
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
    loop_.request_metrics.record(outcome.route, outcome.status, outcome.backend, latency_ms);
    if (!cfg.access_log || !state_.deps.access_log) return;
    nlohmann::json line = {{"ts", format_rfc3339_ms(state_.deps.clock->now())},
                           {"request_id", request_id},
                           {"client", client_},
                           {"method", method},
                           {"route", outcome.route},
                           {"status", outcome.status},
                           {"bytes", outcome.bytes},
                           {"latency_ms", latency_ms},
                           {"backend", outcome.backend},
                           {"upstream_ms", outcome.upstream_ms},
                           {"instance", state_.deps.instance}};
    if (client_ != peer_) line["peer"] = peer_;  // the trusted proxy the request came through
    if (!outcome.error.empty()) line["error"] = outcome.error;
    state_.deps.access_log->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  ServerState& state_;
  EventLoop& loop_;
  Stream& stream_;
  std::string peer_;
  std::string client_ = peer_;  // the peer, or whom a trusted proxy forwarded for (this request's)
  bool tls_;
  std::vector<std::pair<std::string, std::string>> response_headers_;  // of the current request (CORS)
};

}  // namespace

asio::awaitable<void> serve_connection(ServerState& state, EventLoop& loop, tcp::socket socket) {
  CountGuard connection(state.connections);
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto endpoint = socket.remote_endpoint(ec);
  std::string peer = ec ? "unknown" : endpoint.address().to_string();
  // New connections take the listener's TLS context of the current snapshot (renewed on reload).
  const auto current = state.snapshot.get();
  const auto handshake_timeout = std::chrono::milliseconds(current->config->limits.request_timeout_ms);
  const auto server_tls = current->server_tls;
  if (!server_tls) {
    TimedSocket stream(std::move(socket));
    Session<TimedSocket> session(state, loop, stream, peer, false);
    co_await session.run();
    co_return;
  }
  TlsSocket stream(std::move(socket), server_tls->native_handle());
  if (stream.valid()) {
    stream.expires_after(handshake_timeout);
    co_await stream.async_handshake(await_ec(ec));
  }
  if (!stream.valid() || ec) {
    state.deps.metrics->counter("parity_tls_handshake_failures_total", {}, "Failed client TLS handshakes").inc();
    co_return;
  }
  Session<TlsSocket> session(state, loop, stream, peer, true);
  co_await session.run();
}

}  // namespace parity::gateway
