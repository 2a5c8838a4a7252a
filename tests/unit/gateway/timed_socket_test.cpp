// TimedSocket over loopback: connect and transfer within the deadline, a silent peer read as beast's
// timeout, and the deadline following the socket when the TimedSocket is moved (as the upstream pool
// moves a fresh connection into its slot, or under an ssl::stream).
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <optional>

#include "gateway/timed_socket.h"

namespace parity::gateway {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Loopback {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::optional<tcp::socket> peer;  // the accepted side, kept open and silent

  void accept_one() {
    asio::co_spawn(
        io, [this]() -> asio::awaitable<void> { peer.emplace(co_await acceptor.async_accept(asio::use_awaitable)); },
        asio::detached);
  }
  std::array<tcp::endpoint, 1> endpoints() { return {acceptor.local_endpoint()}; }
};

}  // namespace

TEST_CASE("TimedSocket connects and carries bytes both ways within its deadline") {
  Loopback net;
  net.accept_one();
  error_code ec;
  std::string got(5, '\0');
  asio::co_spawn(
      net.io,
      [&]() -> asio::awaitable<void> {
        TimedSocket s(net.io.get_executor());
        s.expires_after(std::chrono::seconds(5));
        co_await s.async_connect(net.endpoints(), await_ec(ec));
        if (ec) co_return;
        co_await asio::async_write(s, asio::buffer("ping!", 5), await_ec(ec));
        if (ec) co_return;
        std::string echo(5, '\0');
        co_await asio::async_read(*net.peer, asio::buffer(echo), asio::use_awaitable);
        co_await asio::async_write(*net.peer, asio::buffer(echo), asio::use_awaitable);
        co_await asio::async_read(s, asio::buffer(got), await_ec(ec));
      },
      asio::detached);
  net.io.run();
  CHECK_FALSE(ec);
  CHECK(got == "ping!");
}

namespace {
// Connects, lets `arm` set the deadline(s), optionally moves the TimedSocket, then reads from the
// silent peer: how the read ended and how long it took.
std::pair<error_code, Clock::duration> silent_read(const std::function<void(TimedSocket&)>& arm, bool move_it) {
  Loopback net;
  net.accept_one();
  error_code ec;
  Clock::duration waited{};
  asio::co_spawn(
      net.io,
      [&]() -> asio::awaitable<void> {
        TimedSocket first(net.io.get_executor());
        co_await first.async_connect(net.endpoints(), asio::use_awaitable);
        const auto start = Clock::now();
        arm(first);
        // The deadline must close the socket where it lives now, not where it was armed.
        std::optional<TimedSocket> moved;
        if (move_it) moved.emplace(std::move(first));
        TimedSocket& s = move_it ? *moved : first;
        char byte;
        co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(ec));
        waited = Clock::now() - start;
      },
      asio::detached);
  net.io.run();
  return {ec, waited};
}
}  // namespace

TEST_CASE("TimedSocket fails a read from a silent peer with beast's timeout, after being moved too") {
  const bool move_it = GENERATE(false, true);
  auto [ec, waited] = silent_read([](TimedSocket& s) { s.expires_after(milliseconds(100)); }, move_it);
  CHECK(ec == beast::error::timeout);
  CHECK(waited >= milliseconds(80));
  CHECK(waited < milliseconds(3000));
}

TEST_CASE("TimedSocket's deadline set later than a pending one is honoured at the later time") {
  auto [ec, waited] = silent_read(
      [](TimedSocket& s) {
        s.expires_after(milliseconds(50));
        s.expires_after(milliseconds(300));
      },
      false);
  CHECK(ec == beast::error::timeout);
  CHECK(waited >= milliseconds(295));
}

TEST_CASE("TimedSocket's connect fails with beast's timeout when the peer never answers the SYN") {
  // A listener whose accept queue is full drops further SYNs (Linux): the connect hangs in SYN
  // retransmits until the deadline closes the socket.
  asio::io_context io;
  tcp::acceptor full(io);
  full.open(tcp::v4());
  full.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  full.listen(0);
  const std::array<tcp::endpoint, 1> target{full.local_endpoint()};
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  for (int i = 0; i < 3; ++i) {  // backlog 0 still queues one; the rest wait unanswered
    fillers.push_back(std::make_unique<tcp::socket>(io));
    fillers.back()->async_connect(target[0], [](error_code) {});
  }
  error_code ec;
  Clock::duration waited{};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer settle(io, milliseconds(100));  // let the fillers take the queue first
        co_await settle.async_wait(asio::use_awaitable);
        TimedSocket s(io.get_executor());
        const auto start = Clock::now();
        s.expires_after(milliseconds(300));
        co_await s.async_connect(target, await_ec(ec));
        waited = Clock::now() - start;
        for (auto& f : fillers) f->close();
      },
      asio::detached);
  io.run();
  CHECK(ec == beast::error::timeout);
  CHECK(waited >= milliseconds(280));
  CHECK(waited < milliseconds(3000));
}

TEST_CASE("TimedSocket::expires_never leaves no timer wait behind to hold io_context::run") {
  Loopback net;
  net.accept_one();
  std::optional<TimedSocket> kept;  // outlives run(), as an idle connection in a pool does
  asio::co_spawn(
      net.io,
      [&]() -> asio::awaitable<void> {
        kept.emplace(net.io.get_executor());
        kept->expires_after(std::chrono::seconds(30));
        co_await kept->async_connect(net.endpoints(), asio::use_awaitable);
        kept->expires_never();
      },
      asio::detached);
  const auto start = Clock::now();
  net.io.run();
  CHECK(Clock::now() - start < std::chrono::seconds(10));
  CHECK(kept->socket().is_open());
}

TEST_CASE("TimedSocket::expires_idle: the pending wait closes nothing, and a later deadline still holds") {
  // As a pooled connection: used with a deadline, put back idle before it passes, taken again later.
  Loopback net;
  net.accept_one();
  error_code ec;
  bool open_after_idle = false;
  Clock::duration waited{};
  asio::co_spawn(
      net.io,
      [&]() -> asio::awaitable<void> {
        TimedSocket s(net.io.get_executor());
        s.expires_after(milliseconds(100));
        co_await s.async_connect(net.endpoints(), asio::use_awaitable);
        s.expires_idle();
        asio::steady_timer idle(net.io, milliseconds(250));  // past the first deadline
        co_await idle.async_wait(asio::use_awaitable);
        open_after_idle = s.socket().is_open();
        const auto start = Clock::now();
        s.expires_after(milliseconds(150));
        char byte;
        co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(ec));
        waited = Clock::now() - start;
      },
      asio::detached);
  net.io.run();
  CHECK(open_after_idle);
  CHECK(ec == beast::error::timeout);
  CHECK(waited >= milliseconds(140));
  CHECK(waited < milliseconds(3000));
}

TEST_CASE("TimedSocket::expires_idle then a deadline set before the pending wait fires: honoured at its time") {
  auto [ec, waited] = silent_read(
      [](TimedSocket& s) {
        s.expires_after(milliseconds(60));
        s.expires_idle();               // the wait for 60 ms stays pending
        s.expires_after(milliseconds(300));  // taken again: the pending wait must wait again
      },
      false);
  CHECK(ec == beast::error::timeout);
  CHECK(waited >= milliseconds(295));
  CHECK(waited < milliseconds(3000));
}

}  // namespace parity::gateway
