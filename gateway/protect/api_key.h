#pragma once
// The set of accepted API keys. Keys are kept only as SHA-256 digests and a presented key is compared
// with every one of them in constant time (CRYPTO_memcmp over equal-length digests), so neither the
// timing nor a memory dump reveals how much of a key matched.
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace parity::gateway::protect {

class ApiKeySet {
 public:
  explicit ApiKeySet(const std::vector<std::string>& keys);
  bool contains(std::string_view presented) const;
  std::size_t size() const { return digests_.size(); }

 private:
  std::vector<std::array<unsigned char, 32>> digests_;
};

}  // namespace parity::gateway::protect
