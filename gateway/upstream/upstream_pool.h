#pragma once
// The one asynchronous HTTP/1.1 client of Parity: pooled keep-alive connections to one backend,
// http or https, used for the served backend, the mirror sender, `parity bench` and `parity replay`.
// A Pool belongs to one event loop (io_context run by one thread) and is not thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/recent_peak.h"
#include "gateway/asio.h"
#include "gateway/upstream/endpoint_cache.h"
#include "gateway/upstream/wire_request.h"

namespace parity::upstream {

using Request = http::request<http::string_body>;
using ResponseHead = http::response_header<>;

enum class Failure { none, connect, tls, timeout, reset, protocol, aborted };
const char* to_string(Failure failure);

struct Result {
  Failure failure = Failure::none;
  std::string error;                 // for logs and records when failure != none
  bool head_received = false;        // a response head arrived (the handler saw it)
  int status = 0;
  std::uint64_t body_bytes = 0;
  bool reused_connection = false;
  std::chrono::microseconds time_to_head{0};
  std::chrono::microseconds latency{0};  // until the last body byte
};

// Receives a response as it streams in. Returning false aborts the exchange (e.g. the client left).
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  virtual asio::awaitable<bool> on_head(ResponseHead& head) = 0;
  virtual asio::awaitable<bool> on_body(std::string_view piece) = 0;
  virtual asio::awaitable<bool> on_end() = 0;
};

struct Target {
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};  // wait for the head, and between body pieces
  std::size_t max_idle = 64;  // idle connections kept, or more while recently needed (see send)
  std::chrono::milliseconds idle_timeout{60000};  // an idle connection unused this long is closed
  // Let the loop run other work once between sending a request and reading its response. Asio tries a
  // read before waiting for readiness; with many busy connections per loop (a load generator) the
  // response has usually arrived by the time this exchange runs again, so that first read succeeds
  // instead of failing with EAGAIN and costing an epoll round: parity bench went from 0.83-0.85x to
  // 0.89-0.93x wrk's throughput (bench/loadgen_vs_wrk.py, A/B in alternation). Off for the gateway,
  // where no gain could be told from the noise.
  bool yield_before_read = false;
  // A connection put back into the pool keeps its pending deadline wait (SocketDeadline::expires_idle)
  // instead of cancelling it: reused within the read timeout — always, under load — it costs no timer
  // update. The wait keeps io_context::run() from returning until it fires, so only for pools whose
  // loop is stopped rather than run to completion: the gateway's, not `parity bench`'s or replay's.
  bool idle_keeps_timer = false;

  static Target from_backend(const config::BackendConfig& backend);
};

class Pool {
 public:
  // `tls` is required when target.tls is set.
  Pool(asio::any_io_executor executor, Target target, std::shared_ptr<asio::ssl::context> tls);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Sends `request` and streams the response into `handler`. A stale pooled connection is retried
  // once on a fresh one when nothing was received and the retry is safe.
  asio::awaitable<Result> send(const Request& request, ResponseHandler& handler);
  asio::awaitable<Result> send(const WireRequest& request, ResponseHandler& handler);

  const Target& target() const { return target_; }
  std::size_t idle_connections() const { return idle_.size(); }
  // Pooled connections found closed by the backend when about to be reused (and so not used).
  std::uint64_t closed_by_backend() const { return closed_by_backend_; }
  // Closes the idle connections (on shutdown or when a reload replaces this pool).
  void close_idle();
  // Closes the idle connections unused for target().idle_timeout, and those idle for a second or more
  // that the backend has closed, without waiting for this pool's next exchange (see PoolSet::sweep_idle).
  void sweep_idle(std::chrono::steady_clock::time_point now);

 private:
  struct Connection;
  std::unique_ptr<Connection> take_idle(std::chrono::steady_clock::time_point now);
  void close_expired_idle(std::chrono::steady_clock::time_point now);
  // Closes and counts `conn` when it has been idle for `unchecked_for` or more and the backend closed it
  // (or wrote to it unasked); returns whether it did. Used before reuse and by the sweep.
  bool close_if_backend_closed(Connection& conn, std::chrono::steady_clock::time_point now,
                               std::chrono::steady_clock::duration unchecked_for);
  asio::awaitable<std::unique_ptr<Connection>> connect(Result& result);
  template <class AnyRequest>  // Request or WireRequest
  asio::awaitable<Result> send_any(const AnyRequest& request, ResponseHandler& handler);
  template <class AnyRequest>
  asio::awaitable<bool> exchange(Connection& conn, const AnyRequest& request, ResponseHandler& handler,
                                 Result& result, bool& sent);

  asio::any_io_executor executor_;
  Target target_;
  std::shared_ptr<asio::ssl::context> tls_;
  EndpointCache endpoints_;
  std::deque<std::unique_ptr<Connection>> idle_;
  std::size_t in_use_ = 0;  // exchanges in flight on this pool, their connections opening or open
  RecentPeak in_use_peak_{std::chrono::seconds(2)};  // the most in flight at once over the last 2-4 s
  std::uint64_t closed_by_backend_ = 0;
};

// Asked before a capture keeps `bytes` more of a body; false refuses them (a memory budget is spent).
using MayKeep = std::function<bool(std::size_t bytes)>;

// A response read whole into memory (bounded), for health checks and simple clients.
struct BufferedResponse {
  Result result;
  ResponseHead head;
  std::string body;
  bool truncated = false;
};
// With `may_keep`, each piece is offered to it before it is kept; a refusal aborts the exchange
// (Failure::aborted, the connection closed).
asio::awaitable<BufferedResponse> fetch(Pool& pool, const Request& request, std::size_t max_body);
asio::awaitable<BufferedResponse> fetch(Pool& pool, const WireRequest& request, std::size_t max_body,
                                        const MayKeep& may_keep = {});

}  // namespace parity::upstream
