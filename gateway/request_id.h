#pragma once
// X-Request-ID: keep a well-formed incoming id, otherwise mint a random one.
#include <random>
#include <string>
#include <string_view>

namespace parity::gateway {

// 1-128 characters of [A-Za-z0-9._:-]: safe to echo into logs, headers and records.
bool is_valid_request_id(std::string_view id);

// 32 lowercase hex characters from `random`.
std::string new_request_id(std::mt19937_64& random);

}  // namespace parity::gateway
