#pragma once
// A socket's deadline, with beast::tcp_stream's meaning — it bounds the operations pending and those
// started until it is set again; when it passes the socket is closed and they fail with
// beast::error::timeout — at a fraction of the cost. tcp_stream arms and cancels a timer wait around
// every read and write (two timer-queue updates and one more handler each); here a connection has one
// timer wait, and setting a later deadline only records it: the wait, when it fires, waits again for
// the rest (nginx's lazy timers do the same). The timer is moved only when the deadline comes sooner.
#include <chrono>
#include <memory>

#include "gateway/asio.h"

namespace parity::gateway {

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  SocketDeadline(const tcp::socket::executor_type& executor, tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(SocketDeadline&&) noexcept = default;
  SocketDeadline& operator=(SocketDeadline&&) = delete;

  void expires_after(Clock::duration timeout);
  // No deadline, and no timer wait left pending: a pending wait is work that keeps io_context::run()
  // from returning (`parity bench` and `parity replay` run theirs to completion), so a connection
  // put back into a pool calls this.
  void expires_never();
  // No deadline either, but a pending timer wait is left to fire and find nothing to do, instead of
  // being cancelled: a pooled connection taken again before it fires costs no timer-queue update at
  // all (expires_never then expires_after cost two, and a handler for the cancelled wait). For a
  // loop that is stopped, not run to completion (the gateway's).
  void expires_idle();
  // The socket moved (its owner was moved): the deadline closes it there.
  void rebind(tcp::socket& socket);

  bool expired() const;
  // An operation's error once the deadline has passed is the deadline's.
  error_code outcome(error_code ec) const {
    return ec && expired() ? error_code(beast::error::timeout) : ec;
  }

 private:
  struct State;  // shared with the pending wait's handler, which may run after the socket is gone
  std::shared_ptr<State> state_;
};

}  // namespace parity::gateway
