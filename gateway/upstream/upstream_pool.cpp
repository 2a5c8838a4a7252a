#include "gateway/upstream/upstream_pool.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <limits>
#include <optional>
#include <variant>

#include "gateway/timed_socket.h"
#include "gateway/upstream/wire_format.h"

namespace parity::upstream {
namespace {

using Clock = std::chrono::steady_clock;
using PlainStream = gateway::TimedSocket;
using TlsStream = beast::ssl_stream<gateway::TimedSocket>;

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

Failure classify(const error_code& ec) {
  if (ec == beast::error::timeout) return Failure::timeout;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == http::error::end_of_stream ||
      ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return Failure::reset;
  }
  if (ec.category() == asio::error::get_ssl_category()) return Failure::tls;
  return Failure::protocol;
}

bool idempotent(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::trace:
      return true;
    default:
      return false;
  }
}

// Where response body pieces land on their way to the handler. Taken for the body of one exchange,
// not held by the connection: a pool with hundreds of connections waiting on a slow backend kept
// 16 KiB each for the moment it reads, and read into cold memory; the allocator hands back what
// another exchange has just freed. A body of known length below the maximum gets just its size.
// The maximum leaves room in a 16 KiB TLS record for the chunk framing a piece may get on its way to
// the client ("3fe0\r\n" and "\r\n"), so a re-chunked piece is one record, not two.
class PieceBuffer {
 public:
  static constexpr std::size_t kMaxSize = 16 * 1024 - 32;
  // `content_length` 0: not known (or nothing to read).
  explicit PieceBuffer(std::uint64_t content_length)
      : size_(content_length > 0 && content_length < kMaxSize ? static_cast<std::size_t>(content_length)
                                                              : kMaxSize),
        data_(std::make_unique_for_overwrite<char[]>(size_)) {}  // no zero-fill
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

// Beast reads into the connection's flat_buffer at most max(512, capacity - size) bytes at a time, and
// a buffer left to grow by itself stays at its first 512 bytes: a 523-byte response took two reads
// and reached the client as two TLS records (two writes, two segments), a 100 KB body as two hundred.
// So the buffer is given room while a response is read — a usual head with a small body in one read,
// then up to a body piece at a time — and given back when the exchange ends (Pool::exchange): a
// connection waiting in the pool, or on a slow shadow, holds none.
constexpr std::size_t kHeadRead = 4096;

}  // namespace

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::none: return "none";
    case Failure::connect: return "connect";
    case Failure::tls: return "tls";
    case Failure::timeout: return "timeout";
    case Failure::reset: return "reset";
    case Failure::protocol: return "protocol";
    case Failure::aborted: return "aborted";
  }
  return "unknown";
}

Target Target::from_backend(const config::BackendConfig& backend) {
  Target t;
  t.host = backend.parsed.host;
  t.port = backend.parsed.port;
  t.tls = backend.parsed.scheme == "https";
  t.connect_timeout = std::chrono::milliseconds(backend.connect_timeout_ms);
  t.read_timeout = std::chrono::milliseconds(backend.timeout_ms);
  t.max_idle = backend.max_idle;
  t.idle_timeout = std::chrono::milliseconds(backend.idle_timeout_ms);
  return t;
}

struct Pool::Connection {
  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;
  std::string wire;   // the serialized request head, reused
  std::chrono::steady_clock::time_point idle_since;  // when it was put back into the pool

  PlainStream& tcp() {
    return std::visit(
        [](auto& s) -> PlainStream& {
          if constexpr (std::is_same_v<std::decay_t<decltype(s)>, PlainStream>) return s;
          else return s.next_layer();
        },
        stream);
  }
};

Pool::Pool(asio::any_io_executor executor, Target target, std::shared_ptr<asio::ssl::context> tls)
    : executor_(std::move(executor)),
      target_(std::move(target)),
      tls_(std::move(tls)),
      endpoints_(target_.host, target_.port) {}

Pool::~Pool() { close_idle(); }

void Pool::close_idle() {
  for (auto& conn : idle_) {
    error_code ignored;
    conn->tcp().socket().close(ignored);
  }
  idle_.clear();
}

asio::awaitable<std::unique_ptr<Pool::Connection>> Pool::connect(Result& result) {
  error_code ec;
  auto endpoints = endpoints_.fresh(Clock::now());
  if (!endpoints) {
    tcp::resolver resolver(executor_);
    auto resolved = co_await resolver.async_resolve(target_.host, std::to_string(target_.port), await_ec(ec));
    if (ec) {
      result.failure = Failure::connect;
      result.error = "cannot resolve " + target_.host + ": " + ec.message();
      co_return nullptr;
    }
    endpoints.emplace();
    for (const auto& entry : resolved) endpoints->push_back(entry.endpoint());
    endpoints_.store(*endpoints, Clock::now());
  }
  PlainStream plain(executor_);
  plain.expires_after(target_.connect_timeout);
  co_await plain.async_connect(*endpoints, await_ec(ec));
  if (ec) {
    result.failure = ec == beast::error::timeout ? Failure::timeout : Failure::connect;
    result.error = "cannot connect to " + target_.host + ":" + std::to_string(target_.port) + ": " + ec.message();
    co_return nullptr;
  }
  plain.socket().set_option(tcp::no_delay(true), ec);
  if (!target_.tls) {
    co_return std::make_unique<Connection>(Connection{std::move(plain), {}, {}, {}});
  }
  TlsStream secure(std::move(plain), *tls_);
  // SNI and host-name verification (IP addresses are checked against the certificate's IP SANs).
  if (!SSL_set_tlsext_host_name(secure.native_handle(), target_.host.c_str())) {
    // An IP address is not a valid SNI name; verification below still applies.
  }
  secure.set_verify_callback(asio::ssl::host_name_verification(target_.host));
  secure.next_layer().expires_after(target_.connect_timeout);
  co_await secure.async_handshake(asio::ssl::stream_base::client, await_ec(ec));
  if (ec) {
    result.failure = ec == beast::error::timeout ? Failure::timeout : Failure::tls;
    result.error = "TLS handshake with " + target_.host + ":" + std::to_string(target_.port) + " failed: " +
                   ec.message();
    co_return nullptr;
  }
  co_return std::make_unique<Connection>(Connection{std::move(secure), {}, {}, {}});
}

static http::verb method_of(const Request& request) { return request.method(); }
static http::verb method_of(const WireRequest& request) { return request.method; }

// One request/response on an open connection; returns whether the connection can be reused.
// A named template rather than a coroutine lambda: GCC 12 mishandles lambda coroutine captures.
template <class Stream, class AnyRequest>
static asio::awaitable<bool> exchange_on(Stream& stream, PlainStream& tcp_layer,
                                         beast::flat_buffer& buffer, std::string& wire,
                                         const AnyRequest& request,
                                         ResponseHandler& handler,
                                         const Target& target, Result& result, bool& sent, error_code& ec) {
  auto start = Clock::now();
  tcp_layer.expires_after(target.read_timeout);
  if constexpr (std::is_same_v<AnyRequest, WireRequest>) {
    co_await asio::async_write(stream, asio::const_buffer(request.bytes.data(), request.bytes.size()), await_ec(ec));
  } else {
    // Head and body in one gather write, the body framed as to_wire frames it.
    wire.clear();
    append_request_head(wire, request.base());
    const auto& body = request.body();
    const std::string_view tail = append_body_framing(wire, request.chunked(), body.size());
    const std::array pieces{asio::const_buffer(wire.data(), wire.size()), asio::const_buffer(body.data(), body.size()),
                            asio::const_buffer(tail.data(), tail.size())};
    co_await asio::async_write(stream, pieces, await_ec(ec));
  }
  if (ec) co_return false;
  sent = true;
  if (target.yield_before_read) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  http::response_parser<http::buffer_body> parser;
  // Bodies are streamed, never held whole. (Beast 1.74 treats body_limit(none) as a zero limit.)
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.skip(method_of(request) == http::verb::head);
  buffer.reserve(kHeadRead);
  tcp_layer.expires_after(target.read_timeout);
  co_await http::async_read_header(stream, buffer, parser, await_ec(ec));
  if (ec) co_return false;
  result.head_received = true;
  result.status = static_cast<int>(parser.get().result_int());
  result.time_to_head = since(start);
  if (!co_await handler.on_head(parser.get().base())) {
    result.failure = Failure::aborted;
    result.error = "the receiver stopped reading (client gone)";
    co_return false;
  }
  std::optional<PieceBuffer> piece;
  bool body_done = parser.is_done();
  if (!body_done) piece.emplace(parser.content_length().value_or(0));
  // Through the parser, body bytes are read into `buffer` and then copied into the piece. A body of known
  // length needs no parsing: once the parser has had what came with the head, the rest is read straight
  // into the piece, and the parser, told nothing of it, is not asked again (the copy was ~5 % of the
  // gateway's CPU with 100 KB responses). Chunked and close-delimited bodies go through the parser.
  std::optional<std::uint64_t> past_parser;  // what is left of such a body, once read past the parser
  if (!body_done && !parser.content_length_remaining()) buffer.reserve(piece->size());
  while (!body_done) {
    if (!past_parser && buffer.size() == 0) {
      if (auto left = parser.content_length_remaining()) past_parser = *left;
    }
    std::size_t n = 0;
    tcp_layer.expires_after(target.read_timeout);
    if (past_parser) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(*past_parser, piece->size()));
      n = co_await stream.async_read_some(asio::buffer(piece->data(), want), await_ec(ec));
      if (ec == asio::error::eof) ec = http::error::partial_message;  // what the parser says of it
      if (ec) co_return false;
      *past_parser -= n;
      body_done = *past_parser == 0;
    } else {
      parser.get().body().data = piece->data();
      parser.get().body().size = piece->size();
      co_await http::async_read_some(stream, buffer, parser, await_ec(ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;
      n = piece->size() - parser.get().body().size;
      body_done = parser.is_done();
    }
    if (n == 0) continue;
    result.body_bytes += n;
    if (!co_await handler.on_body(std::string_view(piece->data(), n))) {
      result.failure = Failure::aborted;
      result.error = "the receiver stopped reading (client gone)";
      co_return false;
    }
  }
  if (!co_await handler.on_end()) {
    result.failure = Failure::aborted;
    result.error = "the receiver stopped reading (client gone)";
    co_return false;
  }
  // Bytes after the end of the message (a body sent with a 204, say) would corrupt the next exchange.
  co_return parser.keep_alive() && buffer.size() == 0;
}

template <class AnyRequest>
asio::awaitable<bool> Pool::exchange(Connection& conn, const AnyRequest& request, ResponseHandler& handler,
                                     Result& result, bool& sent) {
  error_code ec;
  PlainStream& tcp_layer = conn.tcp();
  auto operation = std::visit(
      [&](auto& stream) {
        return exchange_on(stream, tcp_layer, conn.buffer, conn.wire, request, handler,
                           target_, result, sent, ec);
      },
      conn.stream);
  bool keep = co_await std::move(operation);
  if (conn.buffer.size() == 0) conn.buffer.shrink_to_fit();  // frees it: see kHeadRead
  if (ec) {
    result.failure = classify(ec);
    result.error = std::string(result.head_received ? "reading the response body" : "waiting for the response") +
                   " from " + target_.host + ":" + std::to_string(target_.port) + ": " + ec.message();
  }
  co_return keep && result.failure == Failure::none;
}

// An idle connection the backend has closed (EOF) or written to unasked (a TLS close_notify, junk) is
// not reused. Checked without blocking before reuse: it keeps the common keep-alive race — the
// backend's idle timeout fired while the connection sat in the pool — from failing a POST, which is
// never retried. The check is a syscall, so a connection back in the pool for less than
// kTrustedIdle is reused unchecked: keep-alive timeouts are seconds (uvicorn 5 s, nginx 75 s), and under
// load every connection comes back within milliseconds (the check was one recvfrom per request, ~5 %
// of the gateway's CPU). A backend that dies in that window fails the exchange as before: GET is
// retried on a fresh connection, a POST answers 502.
static constexpr auto kTrustedIdle = std::chrono::milliseconds(100);

static bool still_open(PlainStream& stream) {
  char byte;
  ssize_t n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The idle stack is used from the back (the most recently used first), so its front holds the
// connections unused longest. Without closing them, a pool that once had hundreds in flight would
// keep their sockets open for as long as the gateway runs — in CLOSE_WAIT once the backend's
// keep-alive timeout has closed its side, file descriptors the gateway's clients could have used.
void Pool::close_expired_idle(Clock::time_point now) {
  while (!idle_.empty() && now - idle_.front()->idle_since >= target_.idle_timeout) {
    error_code ignored;
    idle_.front()->tcp().socket().close(ignored);
    idle_.pop_front();
  }
}

// Checked by the sweep: a second unused means the pool has more than it needs; the peek is a syscall.
static constexpr auto kSweepChecksAfter = std::chrono::seconds(1);

bool Pool::close_if_backend_closed(Connection& conn, Clock::time_point now, Clock::duration unchecked_for) {
  if (now - conn.idle_since < unchecked_for || still_open(conn.tcp())) return false;
  error_code ignored;
  conn.tcp().socket().close(ignored);
  ++closed_by_backend_;
  return true;
}

void Pool::sweep_idle(Clock::time_point now) {
  close_expired_idle(now);
  std::erase_if(idle_, [&](const std::unique_ptr<Connection>& conn) {
    return close_if_backend_closed(*conn, now, kSweepChecksAfter);
  });
}

std::unique_ptr<Pool::Connection> Pool::take_idle(Clock::time_point now) {
  close_expired_idle(now);
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (!close_if_backend_closed(*conn, now, kTrustedIdle)) return conn;
  }
  return nullptr;
}

asio::awaitable<Result> Pool::send(const Request& request, ResponseHandler& handler) {
  return send_any(request, handler);
}

asio::awaitable<Result> Pool::send(const WireRequest& request, ResponseHandler& handler) {
  return send_any(request, handler);
}

template <class AnyRequest>
asio::awaitable<Result> Pool::send_any(const AnyRequest& request, ResponseHandler& handler) {
  auto start = Clock::now();
  bool fresh_only = false;
  for (int attempt = 0;; ++attempt) {
    Result result;
    std::unique_ptr<Connection> conn;
    // Counted from here: a connection still being opened (a SYN the backend's full backlog dropped
    // waits a second for its retransmit) is needed as much as one in use.
    ++in_use_;
    in_use_peak_.note(in_use_, start);
    if (!fresh_only) conn = take_idle(start);
    if (conn) {
      result.reused_connection = true;
    } else {
      conn = co_await connect(result);
      if (!conn) {
        --in_use_;
        result.latency = since(start);
        co_return result;
      }
    }
    bool sent = false;
    bool reusable = co_await exchange(*conn, request, handler, result, sent);
    --in_use_;
    // A keep-alive connection the backend closed meanwhile fails before any response byte: retry once
    // on a fresh connection (never another idle one: after a quiet spell they are all stale) when that
    // cannot run the request twice.
    bool stale = result.reused_connection && !result.head_received && result.failure == Failure::reset;
    if (stale && attempt == 0 && (!sent || idempotent(method_of(request)))) {
      fresh_only = true;
      continue;
    }
    // Kept idle up to max_idle, or while the pool holds no more connections than it had in flight at
    // once in the last seconds: a connection freed then is about to be needed again. With a fixed cap,
    // a shadow answering in 200 ms (hundreds of mirrors in flight per loop) had its connections closed
    // and reopened in bursts: ~20 % of mirrors paid a new TCP connection. Keeping only as many idle as
    // were still in use left ~10 %: replies come back in clusters (after any stall of the host), so
    // for a moment more are idle than in use, and the requests of the next cluster reconnected —
    // connects and closes bunched where the clients' requests were bunched too, in the tail. Idle
    // connections no longer needed are closed once unused for idle_timeout (close_expired_idle), or
    // found closed by the backend's keep-alive timeout before reuse (take_idle). max_idle 0 turns
    // pooling off altogether.
    const auto now = Clock::now();
    const std::size_t held = idle_.size() + in_use_;  // besides this one
    const bool room = idle_.size() < target_.max_idle || idle_.size() < in_use_ || held < in_use_peak_.value(now);
    if (reusable && target_.max_idle > 0 && room) {
      conn->idle_since = now;
      if (target_.idle_keeps_timer) {
        conn->tcp().expires_idle();
      } else {
        conn->tcp().expires_never();
      }
      idle_.push_back(std::move(conn));
    }
    close_expired_idle(now);
    result.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - start);
    co_return result;
  }
}

namespace {

class BufferingHandler final : public ResponseHandler {
 public:
  BufferingHandler(BufferedResponse& out, std::size_t max_body, const MayKeep& may_keep)
      : out_(out), max_body_(max_body), may_keep_(may_keep) {}
  asio::awaitable<bool> on_head(ResponseHead& head) override {
    out_.head = head;
    co_return true;
  }
  asio::awaitable<bool> on_body(std::string_view piece) override {
    std::size_t room = max_body_ - std::min(max_body_, out_.body.size());
    if (piece.size() > room) out_.truncated = true;
    piece = piece.substr(0, room);
    if (!piece.empty() && may_keep_ && !may_keep_(piece.size())) co_return false;
    out_.body.append(piece);
    co_return true;
  }
  asio::awaitable<bool> on_end() override { co_return true; }

 private:
  BufferedResponse& out_;
  std::size_t max_body_;
  const MayKeep& may_keep_;
};

}  // namespace

template <class AnyRequest>
static asio::awaitable<BufferedResponse> fetch_any(Pool& pool, const AnyRequest& request, std::size_t max_body,
                                                   MayKeep may_keep) {  // by value: kept in the coroutine's frame
  BufferedResponse out;
  BufferingHandler handler(out, max_body, may_keep);
  out.result = co_await pool.send(request, handler);
  co_return out;
}

asio::awaitable<BufferedResponse> fetch(Pool& pool, const Request& request, std::size_t max_body) {
  return fetch_any(pool, request, max_body, MayKeep{});
}

asio::awaitable<BufferedResponse> fetch(Pool& pool, const WireRequest& request, std::size_t max_body,
                                        const MayKeep& may_keep) {
  return fetch_any(pool, request, max_body, may_keep);
}

}  // namespace parity::upstream
