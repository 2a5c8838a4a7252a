#include "gateway/protect/jwt.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "gateway/protect/base64url.h"

namespace parity::gateway::protect {

struct JwtVerifier::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

JwtResult fail(JwtStatus status, std::string reason) { return {status, std::move(reason)}; }

bool hs256_ok(const std::string& secret, std::string_view signed_part, const std::string& signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &len)) {
    return false;
  }
  return signature.size() == len && CRYPTO_memcmp(mac, signature.data(), len) == 0;
}

bool rs256_ok(EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<nlohmann::json> decode_json_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  auto json = nlohmann::json::parse(*bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

// A NumericDate claim: nullopt when absent, sets `bad` when present but not a number.
std::optional<double> numeric_claim(const nlohmann::json& claims, const char* name, bool& bad) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) {
    bad = true;
    return std::nullopt;
  }
  return it->get<double>();
}

}  // namespace

const char* to_string(JwtStatus status) {
  switch (status) {
    case JwtStatus::ok: return "ok";
    case JwtStatus::malformed: return "malformed";
    case JwtStatus::bad_algorithm: return "bad_algorithm";
    case JwtStatus::bad_signature: return "bad_signature";
    case JwtStatus::expired: return "expired";
    case JwtStatus::not_yet_valid: return "not_yet_valid";
    case JwtStatus::wrong_audience: return "wrong_audience";
  }
  return "?";
}

std::unique_ptr<JwtVerifier> JwtVerifier::create(JwtSettings settings, std::string& error) {
  if (settings.hs256_secret.empty() && settings.rs256_public_key_pem.empty()) {
    error = "jwt: needs an HS256 secret or an RS256 public key";
    return nullptr;
  }
  std::unique_ptr<Key> key;
  if (!settings.rs256_public_key_pem.empty()) {
    BIO* bio = BIO_new_mem_buf(settings.rs256_public_key_pem.data(), static_cast<int>(settings.rs256_public_key_pem.size()));
    key = std::make_unique<Key>();
    key->pkey = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (!key->pkey || EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_RSA) {
      error = "jwt: rs256_public_key is not a PEM RSA public key (-----BEGIN PUBLIC KEY-----)";
      return nullptr;
    }
  }
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(settings), std::move(key)));
}

JwtVerifier::JwtVerifier(JwtSettings settings, std::unique_ptr<Key> key)
    : settings_(std::move(settings)), rsa_(std::move(key)) {}

JwtVerifier::~JwtVerifier() = default;

JwtResult JwtVerifier::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(JwtStatus::malformed, "token is not header.payload.signature");
  }
  auto header = decode_json_part(token.substr(0, dot1));
  auto claims = decode_json_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return fail(JwtStatus::malformed, "token parts are not base64url JSON");
  const auto alg = header->value("alg", std::string());
  const std::string_view signed_part = token.substr(0, dot2);
  if (alg == "HS256" && !settings_.hs256_secret.empty()) {
    if (!hs256_ok(settings_.hs256_secret, signed_part, *signature)) return fail(JwtStatus::bad_signature, "bad signature");
  } else if (alg == "RS256" && rsa_) {
    if (!rs256_ok(rsa_->pkey, signed_part, *signature)) return fail(JwtStatus::bad_signature, "bad signature");
  } else {
    return fail(JwtStatus::bad_algorithm, "algorithm not accepted: '" + alg.substr(0, 16) + "'");
  }
  // The signature is good: only now are the claims trusted enough to be read.
  const double t = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(settings_.leeway.count());
  bool bad = false;
  auto exp = numeric_claim(*claims, "exp", bad);
  auto nbf = numeric_claim(*claims, "nbf", bad);
  if (bad) return fail(JwtStatus::malformed, "exp/nbf must be numbers");
  if (!exp) return fail(JwtStatus::expired, "token has no exp claim");
  if (t > *exp + leeway) return fail(JwtStatus::expired, "token expired");
  if (nbf && t + leeway < *nbf) return fail(JwtStatus::not_yet_valid, "token not valid yet (nbf)");
  if (!settings_.audience.empty()) {
    bool match = false;
    if (auto aud = claims->find("aud"); aud != claims->end()) {
      if (aud->is_string()) match = aud->get<std::string>() == settings_.audience;
      if (aud->is_array()) {
        for (const auto& a : *aud) match = match || (a.is_string() && a.get<std::string>() == settings_.audience);
      }
    }
    if (!match) return fail(JwtStatus::wrong_audience, "token audience does not include this gateway");
  }
  return {JwtStatus::ok, ""};
}

}  // namespace parity::gateway::protect
