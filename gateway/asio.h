#pragma once
// The one place that pulls in Asio/Beast for the gateway. <utility> must come first on Boost 1.74
// (awaitable.hpp uses std::exchange without including it).
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace parity {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using beast::error_code;

// Awaitable completion that reports errors through `ec` instead of throwing: the request path
// never throws on network input.
inline auto await_ec(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// Boost 1.74's beast::string_view is boost::string_view; the rest of Parity speaks std::string_view.
inline std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
inline beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
}  // namespace parity
