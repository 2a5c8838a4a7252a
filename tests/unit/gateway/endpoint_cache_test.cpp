#include <catch2/catch.hpp>

#include "gateway/upstream/endpoint_cache.h"

using namespace parity::upstream;
using namespace std::chrono_literals;
using parity::tcp;
namespace ip = boost::asio::ip;

TEST_CASE("an IP address is never resolved: its endpoint is there at once, at any time") {
  const EndpointCache::Clock::time_point t0{};
  EndpointCache v4("127.0.0.1", 8080);
  REQUIRE(v4.fresh(t0));
  CHECK(*v4.fresh(t0) == std::vector{tcp::endpoint(ip::make_address("127.0.0.1"), 8080)});
  CHECK(*v4.fresh(t0 + 24h) == *v4.fresh(t0));
  EndpointCache v6("::1", 443);
  REQUIRE(v6.fresh(t0));
  CHECK(v6.fresh(t0)->front() == tcp::endpoint(ip::make_address("::1"), 443));
  // What a resolver found for a literal changes nothing.
  v4.store({tcp::endpoint(ip::make_address("10.0.0.9"), 8080)}, t0);
  CHECK(v4.fresh(t0)->front().address() == ip::make_address("127.0.0.1"));
}

TEST_CASE("a name's addresses are used for the ttl after they were resolved, then resolved again") {
  const EndpointCache::Clock::time_point t0 = EndpointCache::Clock::time_point{} + 1h;
  EndpointCache cache("legacy.internal", 8000, 1s);
  CHECK_FALSE(cache.fresh(t0));  // never resolved
  const std::vector first{tcp::endpoint(ip::make_address("10.0.0.1"), 8000),
                          tcp::endpoint(ip::make_address("10.0.0.2"), 8000)};
  cache.store(first, t0);
  REQUIRE(cache.fresh(t0 + 999ms));
  CHECK(*cache.fresh(t0 + 999ms) == first);
  CHECK_FALSE(cache.fresh(t0 + 1s));
  // A resolver that found nothing does not replace what was known; the next connect asks again.
  cache.store({}, t0 + 1s);
  CHECK_FALSE(cache.fresh(t0 + 1s));
  const std::vector moved{tcp::endpoint(ip::make_address("10.0.0.3"), 8000)};
  cache.store(moved, t0 + 2s);
  CHECK(*cache.fresh(t0 + 2s) == moved);
}
