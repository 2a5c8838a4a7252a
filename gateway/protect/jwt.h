#pragma once
// Verifies JWT bearer tokens (RFC 7519, compact JWS): HS256 with a shared secret and/or RS256 with an
// RSA public key, then the time claims (exp required, nbf when present, both with a leeway) and the
// audience. Built on OpenSSL EVP (HMAC, EVP_DigestVerify) and a hand-written base64url: no JWT library
// is packaged for C++ in Debian 12.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace parity::gateway::protect {

struct JwtSettings {
  std::string hs256_secret;          // empty = HS256 not accepted
  std::string rs256_public_key_pem;  // empty = RS256 not accepted
  std::string audience;              // empty = aud not checked
  std::chrono::seconds leeway{30};   // clock skew allowed on exp and nbf
};

enum class JwtStatus { ok, malformed, bad_algorithm, bad_signature, expired, not_yet_valid, wrong_audience };
const char* to_string(JwtStatus status);

struct JwtResult {
  JwtStatus status = JwtStatus::malformed;
  std::string reason;  // for the client's 401 message; never contains the token
};

class JwtVerifier {
 public:
  // nullptr and `error` when the public key cannot be parsed or neither algorithm is configured.
  static std::unique_ptr<JwtVerifier> create(JwtSettings settings, std::string& error);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // The alg in the token's header picks the key: an HS256 token is checked only with the secret and an
  // RS256 token only with the public key (never the public key as an HMAC secret); "none" is refused.
  JwtResult verify(std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  struct Key;
  JwtVerifier(JwtSettings settings, std::unique_ptr<Key> key);
  JwtSettings settings_;
  std::unique_ptr<Key> rsa_;
};

}  // namespace parity::gateway::protect
