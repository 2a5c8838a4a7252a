#pragma once
// The client side of the gateway's TLS: OpenSSL reads and writes the non-blocking socket itself.
//
// Why not beast::ssl_stream<beast::tcp_stream>: asio::ssl::stream runs OpenSSL over a BIO pair (every
// record copied into and out of the pair, each read or write a chain of composed operations), and
// beast::tcp_stream arms and cancels its timer around every read and write, several times per
// request. Here a read or write is one SSL call, plus one readiness wait when the socket has nothing;
// the deadline is one lazy timer per connection (socket_deadline.h). docs/bench-gateway.md has the
// figures. Asio has no such stream and Debian has no library for it.
//
// OpenSSL writes with write(2): a process using it must ignore SIGPIPE (Server::run does).
//
// It models Beast's AsyncReadStream and AsyncWriteStream; beast::get_lowest_layer() of it is itself,
// with the two tcp_stream calls the session makes: expires_after() and socket().
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "gateway/asio.h"
#include "gateway/socket_deadline.h"

namespace parity::gateway {

class TlsSocket {
 public:
  using executor_type = tcp::socket::executor_type;

  // Takes the accepted socket; `ctx` is the listener's context (SSL_new keeps it alive).
  TlsSocket(tcp::socket socket, SSL_CTX* ctx);
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  // False when OpenSSL could not allocate the connection: close it.
  bool valid() const { return ssl_ != nullptr; }
  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& socket() { return socket_; }
  SSL* native_handle() { return ssl_.get(); }

  // As beast::tcp_stream: a deadline for the operations pending and those started until it is set
  // again. When it passes the socket is closed and they fail with beast::error::timeout.
  void expires_after(SocketDeadline::Clock::duration timeout) { deadline_.expires_after(timeout); }
  void expires_never() { deadline_.expires_never(); }

  template <class Token>
  auto async_handshake(Token&& token) {
    return asio::async_compose<Token, void(error_code)>(
        Op<HandshakeStep, false>{*this, HandshakeStep{*this}}, token, socket_);
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        Op<ReadStep, true>{*this, ReadStep{*this, first_nonempty<asio::mutable_buffer>(buffers)}}, token,
        socket_);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        Op<WriteStep, true>{*this, WriteStep{*this, gather(buffers)}}, token, socket_);
  }

 private:
  enum class Next { done, wait_read, wait_write };

  // One attempt of an OpenSSL call. `ret` is its return value: done (with `ec` set on failure), or
  // which readiness to wait for before the next attempt.
  Next after(int ret, error_code& ec);
  Next handshake_step(error_code& ec);
  Next read_step(asio::mutable_buffer buffer, std::size_t& n, error_code& ec);
  Next write_step(asio::const_buffer buffer, std::size_t& n, error_code& ec);

  struct HandshakeStep {
    TlsSocket& s;
    Next operator()(std::size_t&, error_code& ec) { return s.handshake_step(ec); }
  };
  struct ReadStep {
    TlsSocket& s;
    asio::mutable_buffer buffer;
    Next operator()(std::size_t& n, error_code& ec) { return s.read_step(buffer, n, ec); }
  };
  struct WriteStep {
    TlsSocket& s;
    asio::const_buffer buffer;
    Next operator()(std::size_t& n, error_code& ec) {
      const Next next = s.write_step(buffer, n, ec);
      if (next == Next::done) s.release_gathered();
      return next;
    }
  };

  // Tries the step; waits for readiness while OpenSSL wants it. Never completes inside the
  // initiating call (a coroutine resumed from there would nest a frame per immediate completion):
  // a result ready at once is posted.
  template <class Step, bool WithSize>
  struct Op {
    Op(TlsSocket& socket, Step first) : s(socket), step(first) {}

    TlsSocket& s;
    Step step;
    std::size_t n = 0;
    error_code result;
    bool finished = false;
    bool waited = false;

    template <class Self>
    void operator()(Self& self, error_code ec = {}) {
      if (!finished) {
        if (ec || s.deadline_.expired()) {
          result = s.deadline_.outcome(ec ? ec : asio::error::operation_aborted);
          finished = true;
        } else {
          switch (step(n, result)) {
            case Next::wait_read:
              waited = true;
              s.socket_.async_wait(tcp::socket::wait_read, std::move(self));
              return;
            case Next::wait_write:
              waited = true;
              s.socket_.async_wait(tcp::socket::wait_write, std::move(self));
              return;
            case Next::done:
              finished = true;
              result = s.deadline_.outcome(result);
              break;
          }
        }
        if (!waited) {
          asio::post(s.socket_.get_executor(), std::move(self));
          return;
        }
      }
      if constexpr (WithSize) {
        self.complete(result, result ? 0 : n);
      } else {
        self.complete(result);
      }
    }
  };

  template <class Buffer, class Buffers>
  static Buffer first_nonempty(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  // A write of several buffers (a head and a body, a chunk's size line, data and CRLF) goes out as
  // one TLS record: the start of the sequence is copied together, up to one record's worth, and the
  // caller's async_write sends the rest. A first buffer of a record's worth or more is written as it is.
  // (Copying only sequences under a record made every 16 KiB chunk three records: 6 bytes, 16 KiB, 2.)
  template <class Buffers>
  asio::const_buffer gather(const Buffers& buffers) {
    static constexpr std::size_t kRecord = 16384;
    const asio::const_buffer first = first_nonempty<asio::const_buffer>(buffers);
    const std::size_t size = std::min(asio::buffer_size(buffers), kRecord);
    if (first.size() >= size) return first;
    gathered_.resize(size);
    asio::buffer_copy(asio::buffer(gathered_.data(), size), buffers);
    return asio::const_buffer(gathered_.data(), size);
  }

  // A gathered copy of more than a few KiB is let go once written: an idle connection holds no
  // buffers (SSL_MODE_RELEASE_BUFFERS frees OpenSSL's), and a small one is kept for the next response.
  void release_gathered() {
    static constexpr std::size_t kKeep = 4096;
    if (gathered_.capacity() > kKeep) std::string().swap(gathered_);
  }

  tcp::socket socket_;
  std::unique_ptr<SSL, void (*)(SSL*)> ssl_;
  SocketDeadline deadline_;
  std::string gathered_;
};

}  // namespace parity::gateway
