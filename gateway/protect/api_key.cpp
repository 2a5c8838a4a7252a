#include "gateway/protect/api_key.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace parity::gateway::protect {
namespace {

std::array<unsigned char, 32> digest(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

ApiKeySet::ApiKeySet(const std::vector<std::string>& keys) {
  for (const auto& key : keys) digests_.push_back(digest(key));
}

bool ApiKeySet::contains(std::string_view presented) const {
  if (presented.empty()) return false;
  const auto d = digest(presented);
  int found = 0;
  // Every key is compared, match or not, so the time taken does not say which one matched.
  for (const auto& key : digests_) found |= CRYPTO_memcmp(key.data(), d.data(), d.size()) == 0 ? 1 : 0;
  return found != 0;
}

}  // namespace parity::gateway::protect
