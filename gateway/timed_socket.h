#pragma once
// A TCP socket with a deadline (socket_deadline.h): what beast::tcp_stream is to the gateway, for
// plain-HTTP clients and every upstream connection (also under asio::ssl::stream for https backends),
// without a timer wait armed and cancelled around each read and write.
//
// It models Beast's AsyncReadStream and AsyncWriteStream; beast::get_lowest_layer() of it is itself.
#include <utility>

#include "gateway/asio.h"
#include "gateway/socket_deadline.h"

namespace parity::gateway {

class TimedSocket {
 public:
  using executor_type = tcp::socket::executor_type;
  using lowest_layer_type = tcp::socket::lowest_layer_type;  // for asio::ssl::stream

  explicit TimedSocket(const executor_type& executor) : socket_(executor), deadline_(executor, socket_) {}
  explicit TimedSocket(tcp::socket socket)
      : socket_(std::move(socket)), deadline_(socket_.get_executor(), socket_) {}
  TimedSocket(TimedSocket&& other) noexcept
      : socket_(std::move(other.socket_)), deadline_(std::move(other.deadline_)) {
    deadline_.rebind(socket_);
  }
  TimedSocket& operator=(TimedSocket&&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& socket() { return socket_; }
  lowest_layer_type& lowest_layer() { return socket_.lowest_layer(); }

  void expires_after(SocketDeadline::Clock::duration timeout) { deadline_.expires_after(timeout); }
  void expires_never() { deadline_.expires_never(); }
  void expires_idle() { deadline_.expires_idle(); }

  // Tries the endpoints in turn, within the deadline.
  template <class Endpoints, class Token>
  auto async_connect(const Endpoints& endpoints, Token&& token) {
    return asio::async_compose<Token, void(error_code, tcp::endpoint)>(
        [this, &endpoints, started = false](auto& self, error_code ec = {}, tcp::endpoint to = {}) mutable {
          if (!started) {
            started = true;
            // A range connect reopens the socket for the next endpoint: stop trying once expired.
            auto in_time = [this](const error_code&, const tcp::endpoint&) { return !deadline_.expired(); };
            asio::async_connect(socket_, endpoints, in_time, std::move(self));
            return;
          }
          self.complete(deadline_.outcome(ec), to);
        },
        token, socket_);
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        Transfer<MutableBuffers, false>{*this, buffers}, token, socket_);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        Transfer<ConstBuffers, true>{*this, buffers}, token, socket_);
  }

 private:
  // The socket's own operation, its error read through the deadline (a socket closed by it fails
  // with operation_aborted or bad_descriptor: that is a timeout).
  template <class Buffers, bool Write>
  struct Transfer {
    Transfer(TimedSocket& socket, const Buffers& b) : s(socket), buffers(b) {}

    TimedSocket& s;
    Buffers buffers;
    bool started = false;

    template <class Self>
    void operator()(Self& self, error_code ec = {}, std::size_t n = 0) {
      if (!started) {
        started = true;
        if constexpr (Write) {
          s.socket_.async_write_some(buffers, std::move(self));
        } else {
          s.socket_.async_read_some(buffers, std::move(self));
        }
        return;
      }
      self.complete(s.deadline_.outcome(ec), n);
    }
  };

  tcp::socket socket_;
  SocketDeadline deadline_;
};

}  // namespace parity::gateway
