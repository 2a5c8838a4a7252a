#include "gateway/socket_deadline.h"

namespace parity::gateway {

struct SocketDeadline::State {
  State(const tcp::socket::executor_type& executor, tcp::socket* s) : timer(executor), socket(s) {}

  asio::steady_timer timer;
  tcp::socket* socket;  // null once the owner is destroyed
  Clock::time_point wanted = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max();  // the pending wait's expiry; max: none
  std::uint64_t generation = 0;                        // of the pending wait: older handlers do nothing
  bool expired = false;

  static void arm(const std::shared_ptr<State>& self) {
    State& s = *self;
    s.armed = s.wanted;
    const std::uint64_t generation = ++s.generation;
    s.timer.expires_at(s.wanted);
    s.timer.async_wait([self, generation](error_code ec) {
      State& s = *self;
      if (ec || generation != s.generation || s.socket == nullptr) return;
      s.armed = Clock::time_point::max();
      if (s.wanted == Clock::time_point::max()) return;
      if (Clock::now() < s.wanted) {
        arm(self);  // moved later meanwhile: wait for the rest
        return;
      }
      s.expired = true;
      error_code ignored;
      s.socket->close(ignored);  // pending operations end with operation_aborted, read as a timeout
    });
  }
};

SocketDeadline::SocketDeadline(const tcp::socket::executor_type& executor, tcp::socket& socket)
    : state_(std::make_shared<State>(executor, &socket)) {}

SocketDeadline::~SocketDeadline() {
  if (!state_) return;  // moved from
  state_->socket = nullptr;
  state_->timer.cancel();
}

void SocketDeadline::rebind(tcp::socket& socket) { state_->socket = &socket; }

void SocketDeadline::expires_after(Clock::duration timeout) {
  State& s = *state_;
  s.wanted = Clock::now() + timeout;
  if (s.armed <= s.wanted) return;  // the pending wait fires first and will wait again
  State::arm(state_);
}

void SocketDeadline::expires_never() {
  State& s = *state_;
  s.wanted = Clock::time_point::max();
  if (s.armed == Clock::time_point::max()) return;
  s.armed = Clock::time_point::max();
  ++s.generation;
  s.timer.cancel();
}

void SocketDeadline::expires_idle() { state_->wanted = Clock::time_point::max(); }

bool SocketDeadline::expired() const { return state_->expired; }

}  // namespace parity::gateway
