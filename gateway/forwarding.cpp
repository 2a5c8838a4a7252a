#include "gateway/forwarding.h"

#include <vector>

#include "core/http_message.h"

namespace parity::gateway {

void remove_hop_by_hop(http::fields& fields) {
  // Names listed in Connection are hop-by-hop too ("Connection: close, X-Secret").
  std::vector<std::string> named;
  for (auto it = fields.find(http::field::connection); it != fields.end() && it->name() == http::field::connection;
       ++it) {
    std::string_view value = sv(it->value());
    while (!value.empty()) {
      auto comma = value.find(',');
      auto token = value.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (!token.empty()) named.emplace_back(token);
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
  }
  for (const auto& name : named) fields.erase(name);
  for (auto field : {http::field::connection, http::field::keep_alive, http::field::proxy_authenticate,
                     http::field::proxy_authorization, http::field::proxy_connection, http::field::te,
                     http::field::trailer, http::field::transfer_encoding, http::field::upgrade}) {
    fields.erase(field);
  }
}

std::string forwarded_for_chain(const http::fields& fields) {
  std::string chain;
  for (auto [it, end] = fields.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (it->value().empty()) continue;
    if (!chain.empty()) chain += ", ";
    chain.append(it->value().data(), it->value().size());
  }
  return chain;
}

void add_forwarded(http::fields& fields, const ForwardedFor& forwarded) {
  std::string chain = forwarded_for_chain(fields);  // set() below replaces every line of it
  if (!chain.empty()) chain += ", ";
  chain += forwarded.client_address;
  fields.set("X-Forwarded-For", chain);
  fields.set("X-Forwarded-Proto", forwarded.proto);
  if (!forwarded.host.empty()) fields.set("X-Forwarded-Host", forwarded.host);
}

}  // namespace parity::gateway
