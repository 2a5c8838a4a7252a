#include <catch2/catch.hpp>

#include "core/ip_network.h"

using parity::IpNetwork;

TEST_CASE("ip networks: addresses and CIDR, v4 and v6") {
  auto net = IpNetwork::parse("10.0.0.0/8");
  REQUIRE(net);
  CHECK(net->text() == "10.0.0.0/8");
  CHECK(net->contains("10.0.0.1"));
  CHECK(net->contains("10.255.255.255"));
  CHECK_FALSE(net->contains("11.0.0.1"));
  CHECK(net->contains("::ffff:10.1.2.3"));  // IPv4-mapped counts as IPv4
  CHECK_FALSE(net->contains("::1"));
  CHECK_FALSE(net->contains("not an address"));
  CHECK_FALSE(net->contains(""));

  auto host = IpNetwork::parse("192.168.1.7");
  REQUIRE(host);
  CHECK(host->contains("192.168.1.7"));
  CHECK_FALSE(host->contains("192.168.1.8"));

  auto odd = IpNetwork::parse("172.16.0.0/12");
  REQUIRE(odd);
  CHECK(odd->contains("172.31.255.1"));
  CHECK_FALSE(odd->contains("172.32.0.1"));

  auto v6 = IpNetwork::parse("fd00::/8");
  REQUIRE(v6);
  CHECK(v6->contains("fd12:3456::1"));
  CHECK_FALSE(v6->contains("fe80::1"));
  CHECK_FALSE(v6->contains("10.0.0.1"));
  auto loopback = IpNetwork::parse("::1");
  REQUIRE(loopback);
  CHECK(loopback->contains("::1"));

  auto mapped = IpNetwork::parse("::ffff:10.0.0.0/104");  // the IPv4-mapped spelling of 10.0.0.0/8
  REQUIRE(mapped);
  CHECK(mapped->contains("10.9.9.9"));
  CHECK(mapped->contains("::ffff:10.9.9.9"));
  CHECK_FALSE(mapped->contains("11.0.0.1"));

  auto all = IpNetwork::parse("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains("203.0.113.7"));
}

TEST_CASE("ip networks: what is refused") {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.1/8", "300.1.1.1", "10.0.0.0/", "/8", "fd00::/129",
                          "localhost", "10.0.0.0/8/8", "10.0.0.0/x"}) {
    INFO(bad);
    CHECK_FALSE(IpNetwork::parse(bad));
  }
  using namespace std::string_view_literals;
  CHECK_FALSE(IpNetwork::parse("10.0.0.1\0junk"sv));  // not cut at the NUL
  CHECK_FALSE(IpNetwork::parse("10.0.0.1")->contains("10.0.0.1\0junk"sv));
}
