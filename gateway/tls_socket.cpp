#include "gateway/tls_socket.h"

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>

namespace parity::gateway {

TlsSocket::TlsSocket(tcp::socket socket, SSL_CTX* ctx)
    : socket_(std::move(socket)),
      ssl_(SSL_new(ctx), SSL_free),
      deadline_(socket_.get_executor(), socket_) {
  if (!ssl_) return;
  error_code ec;
  socket_.non_blocking(true, ec);
  if (ec || SSL_set_fd(ssl_.get(), static_cast<int>(socket_.native_handle())) != 1) {
    ssl_.reset();
    return;
  }
  // Partial writes as asio::ssl::stream: a write completes once a record is out. Read-ahead: one
  // recv takes whatever the kernel has, not a record header then its body.
  SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_set_read_ahead(ssl_.get(), 1);
  SSL_set_accept_state(ssl_.get());
}

TlsSocket::Next TlsSocket::after(int ret, error_code& ec) {
  const int saved_errno = errno;
  if (ret > 0) return Next::done;
  switch (SSL_get_error(ssl_.get(), ret)) {
    case SSL_ERROR_WANT_READ:
      return Next::wait_read;
    case SSL_ERROR_WANT_WRITE:
      return Next::wait_write;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      ec = asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      ec = saved_errno != 0 ? error_code(saved_errno, asio::error::get_system_category())
                            : error_code(asio::ssl::error::stream_truncated);
      break;
    case SSL_ERROR_SSL: {
      const unsigned long err = ERR_peek_last_error();
      if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ec = asio::ssl::error::stream_truncated;  // the peer closed without close_notify
      } else {
        ec = error_code(static_cast<int>(err), asio::error::get_ssl_category());
      }
      break;
    }
    default:
      ec = asio::error::fault;
      break;
  }
  // SSL_get_error reads the thread's error queue: leave it empty for the next connection.
  ERR_clear_error();
  return Next::done;
}

namespace {
// SSL_get_error is only right with an empty error queue; another user of OpenSSL on this thread
// (a JWT check, the upstream client) may have left entries. Peeking is cheap, clearing is not.
void clear_stale_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
  errno = 0;
}

// One SSL_read_ex/SSL_write_ex call need not move more than this.
constexpr std::size_t kMaxIo = std::size_t{1} << 30;
}  // namespace

TlsSocket::Next TlsSocket::handshake_step(error_code& ec) {
  clear_stale_errors();
  return after(SSL_do_handshake(ssl_.get()), ec);
}

TlsSocket::Next TlsSocket::read_step(asio::mutable_buffer buffer, std::size_t& n, error_code& ec) {
  if (buffer.size() == 0) return Next::done;
  clear_stale_errors();
  return after(SSL_read_ex(ssl_.get(), buffer.data(), std::min(buffer.size(), kMaxIo), &n), ec);
}

TlsSocket::Next TlsSocket::write_step(asio::const_buffer buffer, std::size_t& n, error_code& ec) {
  if (buffer.size() == 0) return Next::done;
  clear_stale_errors();
  return after(SSL_write_ex(ssl_.get(), buffer.data(), std::min(buffer.size(), kMaxIo), &n), ec);
}

}  // namespace parity::gateway
