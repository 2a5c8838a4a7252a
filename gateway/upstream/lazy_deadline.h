#pragma once
// Moving a beast::tcp_stream's deadline cancels its pending timer wait (one more handler to run) and
// starts another: once per read or write, that was a measurable share of the proxy's CPU. As nginx does
// (NGX_TIMER_LAZY_DELAY), a deadline is only moved when it would move later by more than a small slack:
// the timeout then fires between `timeout - slack` and `timeout` after the last activity, where slack is
// an eighth of the timeout, at most 300 ms. A shorter deadline is always applied at once.
#include <algorithm>
#include <chrono>

#include "gateway/asio.h"

namespace parity::upstream {

class LazyDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  void arm(beast::tcp_stream& stream, Clock::duration timeout) {
    const auto wanted = Clock::now() + timeout;
    const auto slack = std::min<Clock::duration>(timeout / 8, std::chrono::milliseconds(300));
    if (armed_ && wanted >= deadline_ && wanted - deadline_ < slack) return;
    stream.expires_at(wanted);
    deadline_ = wanted;
    armed_ = true;
  }

  // Someone else set the stream's timer (a connect timeout): the next arm() must apply.
  void forget() { armed_ = false; }

 private:
  Clock::time_point deadline_{};
  bool armed_ = false;
};

}  // namespace parity::upstream
