// TlsSocket against asio's own TLS client over loopback: data both ways (large enough for partial
// writes), the peer's two ways of closing, handshake failure, and the lazy deadline.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <functional>
#include <random>
#include <string_view>
#include <vector>

#include "gateway/tls_socket.h"

namespace parity::gateway {
namespace {

using Clock = std::chrono::steady_clock;
using ClientStream = asio::ssl::stream<tcp::socket>;

// A throwaway EC key and self-signed certificate, made in memory (no key file ever written).
std::unique_ptr<asio::ssl::context> server_context() {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  REQUIRE(SSL_CTX_use_certificate(ctx->native_handle(), cert) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(ctx->native_handle(), key) == 1);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

using ServerSide = std::function<asio::awaitable<void>(TlsSocket&)>;
using ClientSide = std::function<asio::awaitable<void>(ClientStream&)>;

// Accepts one connection, wraps it in a TlsSocket (handshake done unless `handshake` is false) and
// runs both sides to completion on one io_context.
void run_pair(const ServerSide& server, const ClientSide& client, bool handshake = true) {
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  auto server_ctx = server_context();
  asio::ssl::context client_ctx(asio::ssl::context::tls_client);
  client_ctx.set_verify_mode(asio::ssl::verify_none);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto endpoint = acceptor.local_endpoint();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        TlsSocket socket(co_await acceptor.async_accept(asio::use_awaitable), server_ctx->native_handle());
        REQUIRE(socket.valid());
        if (handshake) {
          error_code ec;
          co_await socket.async_handshake(await_ec(ec));
          REQUIRE_FALSE(ec);
        }
        co_await server(socket);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        ClientStream stream(io, client_ctx);
        co_await stream.next_layer().async_connect(endpoint, asio::use_awaitable);
        if (handshake) co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        co_await client(stream);
      },
      asio::detached);
  io.run();
}

std::string random_bytes(std::size_t n) {
  std::mt19937 random(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(random());
  return s;
}

}  // namespace

TEST_CASE("TlsSocket carries a megabyte each way, and several buffers written at once arrive in order") {
  const std::string payload = random_bytes(1 << 20);
  std::string echoed;
  run_pair(
      [&](TlsSocket& s) -> asio::awaitable<void> {
        std::string in(payload.size(), '\0');
        co_await asio::async_read(s, asio::buffer(in), asio::use_awaitable);
        CHECK(in == payload);
        // Small buffers are gathered into one record; the megabyte goes out in partial writes.
        const std::array<asio::const_buffer, 3> head{asio::buffer("one,", 4), asio::buffer("two,", 4),
                                                     asio::buffer("three;", 6)};
        co_await asio::async_write(s, head, asio::use_awaitable);
        co_await asio::async_write(s, asio::buffer(in), asio::use_awaitable);
      },
      [&](ClientStream& c) -> asio::awaitable<void> {
        co_await asio::async_write(c, asio::buffer(payload), asio::use_awaitable);
        echoed.resize(14 + payload.size());
        co_await asio::async_read(c, asio::buffer(echoed), asio::use_awaitable);
      });
  REQUIRE(echoed.size() == 14 + payload.size());
  CHECK(echoed.substr(0, 14) == "one,two,three;");
  CHECK(echoed.substr(14) == payload);
}

TEST_CASE("TlsSocket fills a record from the start of several buffers, and a longer sequence follows in order") {
  // A re-chunked body piece: its size line, the data and CRLF. Under a record's worth it is one record
  // (it was three when only sequences under a record were gathered); over it, the first record is full.
  const std::string data = random_bytes(20000);
  const std::string_view fits(data.data(), 16352);
  struct Case {
    std::string_view body;
    std::vector<std::size_t> records;
  };
  const std::vector<Case> cases{{fits, {6 + 16352 + 2}}, {data, {16384, 6 + 20000 + 2 - 16384}}};
  for (const auto& [body, records] : cases) {
    std::vector<std::size_t> seen;
    std::string received;
    run_pair(
        [&](TlsSocket& s) -> asio::awaitable<void> {
          const std::array<asio::const_buffer, 3> chunk{asio::buffer("3fe0\r\n", 6),
                                                        asio::buffer(body.data(), body.size()),
                                                        asio::buffer("\r\n", 2)};
          co_await asio::async_write(s, chunk, asio::use_awaitable);
        },
        [&](ClientStream& c) -> asio::awaitable<void> {
          // SSL_read returns at most one record: each read below is one record, whenever it arrives.
          std::string buffer(1 << 16, '\0');
          while (received.size() < 6 + body.size() + 2) {
            std::size_t n = co_await c.async_read_some(asio::buffer(buffer), asio::use_awaitable);
            seen.push_back(n);
            received.append(buffer, 0, n);
          }
        });
    CHECK(received == "3fe0\r\n" + std::string(body) + "\r\n");
    CHECK(seen == records);
  }
}

TEST_CASE("TlsSocket reads close_notify as eof and a bare TCP close as a truncated stream") {
  error_code after_notify, after_close;
  run_pair(
      [&](TlsSocket& s) -> asio::awaitable<void> {
        char byte;
        co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(after_notify));
      },
      [&](ClientStream& c) -> asio::awaitable<void> {
        error_code ignored;
        co_await c.async_shutdown(await_ec(ignored));
      });
  run_pair(
      [&](TlsSocket& s) -> asio::awaitable<void> {
        char byte;
        co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(after_close));
      },
      [&](ClientStream& c) -> asio::awaitable<void> {
        c.next_layer().close();
        co_return;
      });
  CHECK(after_notify == asio::error::eof);
  CHECK(after_close == asio::ssl::error::stream_truncated);
}

TEST_CASE("TlsSocket fails the handshake of a client that does not speak TLS") {
  error_code ec;
  run_pair(
      [&](TlsSocket& s) -> asio::awaitable<void> {
        s.expires_after(std::chrono::seconds(5));
        co_await s.async_handshake(await_ec(ec));
      },
      [&](ClientStream& c) -> asio::awaitable<void> {
        static constexpr std::string_view kPlain = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        co_await asio::async_write(c.next_layer(), asio::buffer(kPlain.data(), kPlain.size()), asio::use_awaitable);
        char byte;
        error_code ignored;
        co_await c.next_layer().async_read_some(asio::buffer(&byte, 1), await_ec(ignored));
      },
      false);
  CHECK(ec);
  CHECK(ec != beast::error::timeout);
}

namespace {
// How long a read from a silent client takes to fail, after `arm` set the socket's deadline(s).
std::pair<error_code, Clock::duration> silent_read(const std::function<void(TlsSocket&)>& arm) {
  error_code ec;
  Clock::duration waited{};
  run_pair(
      [&](TlsSocket& s) -> asio::awaitable<void> {
        const auto start = Clock::now();
        arm(s);
        char byte;
        co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(ec));
        waited = Clock::now() - start;
      },
      [&](ClientStream& c) -> asio::awaitable<void> {
        // Stay connected and silent until the server gives up (reading through TLS: TLS 1.3 session
        // tickets arrive after the handshake).
        char byte;
        error_code ignored;
        co_await c.async_read_some(asio::buffer(&byte, 1), await_ec(ignored));
      });
  return {ec, waited};
}
}  // namespace

TEST_CASE("TlsSocket's deadline fails a silent read with beast's timeout, moved later lazily, sooner at once") {
  using std::chrono::milliseconds;
  SECTION("a deadline") {
    auto [ec, waited] = silent_read([](TlsSocket& s) { s.expires_after(milliseconds(100)); });
    CHECK(ec == beast::error::timeout);
    CHECK(waited >= milliseconds(95));
    CHECK(waited < milliseconds(3000));
  }
  SECTION("moved later: the first wait fires, finds the deadline later and waits the rest") {
    auto [ec, waited] = silent_read([](TlsSocket& s) {
      s.expires_after(milliseconds(50));
      s.expires_after(milliseconds(400));
    });
    CHECK(ec == beast::error::timeout);
    CHECK(waited >= milliseconds(395));
  }
  SECTION("moved sooner") {
    auto [ec, waited] = silent_read([](TlsSocket& s) {
      s.expires_after(std::chrono::seconds(30));
      s.expires_after(milliseconds(100));
    });
    CHECK(ec == beast::error::timeout);
    CHECK(waited < milliseconds(3000));
  }
  SECTION("expires_never keeps a read waiting past an earlier deadline") {
    error_code ec;
    bool read_done = false;
    run_pair(
        [&](TlsSocket& s) -> asio::awaitable<void> {
          s.expires_after(milliseconds(50));
          s.expires_never();
          char byte;
          co_await s.async_read_some(asio::buffer(&byte, 1), await_ec(ec));
          read_done = true;
        },
        [&](ClientStream& c) -> asio::awaitable<void> {
          asio::steady_timer pause(c.get_executor(), milliseconds(300));
          co_await pause.async_wait(asio::use_awaitable);
          co_await asio::async_write(c, asio::buffer("x", 1), asio::use_awaitable);
        });
    CHECK(read_done);
    CHECK_FALSE(ec);
  }
}

}  // namespace parity::gateway
