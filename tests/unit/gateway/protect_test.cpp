// The gateway's protection policies as pure units: token buckets on an injected clock, API keys,
// base64url, JWT (HS256/RS256, exp/nbf/aud), CORS and the combined admission decision.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gateway/protect/admission.h"
#include "gateway/protect/base64url.h"

using namespace parity;
using namespace parity::gateway::protect;
using namespace std::chrono_literals;

namespace {

const std::chrono::steady_clock::time_point T0{};
const std::chrono::system_clock::time_point NOW{std::chrono::seconds(1'700'000'000)};
const std::string SECRET = "0123456789abcdef0123456789abcdef-secret";

std::string hs256(const nlohmann::json& header, const nlohmann::json& claims, const std::string& secret = SECRET) {
  std::string signed_part = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &len);
  return signed_part + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

struct RsaKey {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ~RsaKey() { EVP_PKEY_free(key); }
  std::string public_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
  }
  std::string sign(const nlohmann::json& claims) const {
    std::string signed_part = base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url_encode(claims.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return signed_part + "." + base64url_encode(sig);
  }
};

std::int64_t at(std::chrono::seconds offset) {
  return std::chrono::duration_cast<std::chrono::seconds>(NOW.time_since_epoch() + offset).count();
}

std::unique_ptr<JwtVerifier> hs_verifier(std::string audience = "") {
  std::string error;
  auto v = JwtVerifier::create({SECRET, "", std::move(audience), 30s}, error);
  REQUIRE(v);
  return v;
}

}  // namespace

TEST_CASE("token bucket: burst, then one request per 1/rate, refilled by the injected clock") {
  RateLimiter limiter;
  BucketParams p{2.0, 3.0};
  for (int i = 0; i < 3; ++i) CHECK(limiter.admit("a", p, T0).allowed);
  auto denied = limiter.admit("a", p, T0);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.retry_after == 500ms);
  CHECK(limiter.admit("b", p, T0).allowed);  // keys are independent
  CHECK_FALSE(limiter.admit("a", p, T0 + 499ms).allowed);
  CHECK(limiter.admit("a", p, T0 + 1000ms).allowed);  // 1 s = 2 tokens: 0.x left after the denied try
  CHECK(limiter.admit("a", p, T0 + 10s).allowed);
  // Never more than the burst after a long quiet period.
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += limiter.admit("c", p, T0 + 100s).allowed ? 1 : 0;
  CHECK(allowed == 3);
}

TEST_CASE("token bucket table is bounded: refilled buckets are dropped, a full table fails open") {
  RateLimiter limiter(4);
  BucketParams p{1.0, 1.0};
  for (int i = 0; i < 4; ++i) CHECK(limiter.admit("k" + std::to_string(i), p, T0).allowed);
  CHECK(limiter.size() == 4);
  // At T0+2s every bucket is full again: they are dropped to make room, nothing is cleared.
  CHECK(limiter.admit("new", p, T0 + 2s).allowed);
  CHECK(limiter.size() == 1);
  CHECK(limiter.overflows() == 0);
  for (int i = 0; i < 3; ++i) limiter.admit("x" + std::to_string(i), p, T0 + 2s);
  CHECK(limiter.admit("y", p, T0 + 2s).allowed);
  CHECK(limiter.overflows() == 1);
  CHECK(limiter.size() == 1);
}

TEST_CASE("API keys: exact match only, any configured key") {
  ApiKeySet keys({"alpha-key-1", "beta-key-2"});
  CHECK(keys.contains("alpha-key-1"));
  CHECK(keys.contains("beta-key-2"));
  CHECK_FALSE(keys.contains("alpha-key-"));
  CHECK_FALSE(keys.contains("alpha-key-11"));
  CHECK_FALSE(keys.contains(""));
  CHECK_FALSE(ApiKeySet({}).contains("x"));
}

TEST_CASE("base64url round trip and rejects") {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                   std::string("\xff\xfe\x00\x01", 4)}) {
    auto back = base64url_decode(base64url_encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK_FALSE(base64url_decode("ab+c"));   // standard alphabet
  CHECK_FALSE(base64url_decode("Zm9v="));  // padding
  CHECK_FALSE(base64url_decode("Zm9vY"));  // 4n+1 characters
  CHECK_FALSE(base64url_decode("Zh"));     // non-zero leftover bits
}

TEST_CASE("JWT HS256: signature, exp, nbf and leeway") {
  auto v = hs_verifier();
  nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}}), NOW).status == JwtStatus::ok);
  CHECK(v->verify(hs256(header, {{"exp", at(-20s)}}), NOW).status == JwtStatus::ok);  // within the leeway
  CHECK(v->verify(hs256(header, {{"exp", at(-31s)}}), NOW).status == JwtStatus::expired);
  CHECK(v->verify(hs256(header, {{"sub", "x"}}), NOW).status == JwtStatus::expired);  // exp is required
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}, {"nbf", at(40s)}}), NOW).status == JwtStatus::not_yet_valid);
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}, {"nbf", at(20s)}}), NOW).status == JwtStatus::ok);
  CHECK(v->verify(hs256(header, {{"exp", "soon"}}), NOW).status == JwtStatus::malformed);
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}}, SECRET + "x"), NOW).status == JwtStatus::bad_signature);
  // A payload changed after signing.
  auto token = hs256(header, {{"exp", at(60s)}, {"admin", false}});
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string forged = token.substr(0, dot1 + 1) + base64url_encode(R"({"exp":9999999999,"admin":true})") +
                       token.substr(dot2);
  CHECK(v->verify(forged, NOW).status == JwtStatus::bad_signature);
}

TEST_CASE("JWT: alg none, unknown algs and malformed tokens are refused") {
  auto v = hs_verifier();
  auto none = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(R"({"exp":9999999999})") + ".";
  CHECK(v->verify(none, NOW).status == JwtStatus::bad_algorithm);
  CHECK(v->verify(hs256({{"alg", "HS512"}}, {{"exp", at(60s)}}), NOW).status == JwtStatus::bad_algorithm);
  CHECK(v->verify("abc", NOW).status == JwtStatus::malformed);
  CHECK(v->verify("a.b.c.d", NOW).status == JwtStatus::malformed);
  CHECK(v->verify("!!.!!.!!", NOW).status == JwtStatus::malformed);
  CHECK(v->verify(base64url_encode("[1]") + "." + base64url_encode("{}") + ".", NOW).status == JwtStatus::malformed);
}

TEST_CASE("JWT audience: string or array must contain the configured audience") {
  auto v = hs_verifier("parity");
  nlohmann::json header = {{"alg", "HS256"}};
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}, {"aud", "parity"}}), NOW).status == JwtStatus::ok);
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}, {"aud", {"x", "parity"}}}), NOW).status == JwtStatus::ok);
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}, {"aud", "other"}}), NOW).status == JwtStatus::wrong_audience);
  CHECK(v->verify(hs256(header, {{"exp", at(60s)}}), NOW).status == JwtStatus::wrong_audience);
}

TEST_CASE("JWT RS256 with a public key, no HS256/RS256 confusion") {
  RsaKey rsa;
  std::string error;
  auto v = JwtVerifier::create({"", rsa.public_pem(), "", 0s}, error);
  REQUIRE(v);
  CHECK(v->verify(rsa.sign({{"exp", at(60s)}}), NOW).status == JwtStatus::ok);
  CHECK(v->verify(rsa.sign({{"exp", at(-1s)}}), NOW).status == JwtStatus::expired);
  RsaKey other;
  CHECK(v->verify(other.sign({{"exp", at(60s)}}), NOW).status == JwtStatus::bad_signature);
  // The classic attack: an HS256 token MACed with the public key's PEM text.
  CHECK(v->verify(hs256({{"alg", "HS256"}}, {{"exp", at(60s)}}, rsa.public_pem()), NOW).status ==
        JwtStatus::bad_algorithm);
  CHECK_FALSE(JwtVerifier::create({"", "not a key", "", 0s}, error));
  CHECK(error.find("rs256_public_key") != std::string::npos);
  CHECK_FALSE(JwtVerifier::create({"", "", "", 0s}, error));
}

TEST_CASE("CORS: preflight allowed, denied by origin, method or header, actual requests") {
  CorsSettings s{{"https://app.example.com"}, {"GET", "POST"}, {"authorization", "content-type"}, 600};
  auto ok = evaluate_cors(s, {"OPTIONS", "https://app.example.com", "POST", "Content-Type, Authorization"});
  CHECK(ok.kind == CorsDecision::Kind::preflight_allowed);
  auto has = [](const CorsDecision& d, const std::string& name, const std::string& value) {
    for (const auto& [n, v] : d.headers) {
      if (n == name) return v == value;
    }
    return false;
  };
  CHECK(has(ok, "Access-Control-Allow-Origin", "https://app.example.com"));
  CHECK(has(ok, "Access-Control-Allow-Methods", "GET, POST"));
  CHECK(has(ok, "Access-Control-Max-Age", "600"));
  CHECK(evaluate_cors(s, {"OPTIONS", "https://evil.example", "POST", ""}).kind == CorsDecision::Kind::preflight_denied);
  CHECK(evaluate_cors(s, {"OPTIONS", "https://app.example.com", "DELETE", ""}).kind ==
        CorsDecision::Kind::preflight_denied);
  CHECK(evaluate_cors(s, {"OPTIONS", "https://app.example.com", "GET", "x-secret"}).kind ==
        CorsDecision::Kind::preflight_denied);
  auto actual = evaluate_cors(s, {"GET", "https://app.example.com", "", ""});
  CHECK(actual.kind == CorsDecision::Kind::actual);
  CHECK(has(actual, "Vary", "Origin"));
  CHECK(evaluate_cors(s, {"GET", "https://evil.example", "", ""}).kind == CorsDecision::Kind::none);
  CHECK(evaluate_cors(s, {"OPTIONS", "", "GET", ""}).kind == CorsDecision::Kind::none);  // not cross-origin
  CorsSettings any{{"*"}, {"GET"}, {}, 60};
  CHECK(evaluate_cors(any, {"OPTIONS", "https://x.example", "GET", ""}).kind == CorsDecision::Kind::preflight_allowed);
}

TEST_CASE("admission: auth before rate limit, 429 with Retry-After, per-route and per-key buckets") {
  config::Config c;
  c.auth.api_keys = config::ApiKeysConfig{"X-API-Key", "", "", {"k1", "k2"}};
  c.rate_limit.requests_per_second = 1;
  c.rate_limit.burst = 2;
  c.rate_limit.key = "api_key";
  c.rate_limit.routes.push_back({"/slow", 0.5, 1});
  std::string error;
  auto p = make_policies(c, error);
  REQUIRE(p);
  RateLimiter limiter;
  auto req = [](std::string_view key, std::string_view route = "/", std::string_view client = "10.0.0.1") {
    return RequestFacts{"GET", route, client, "", "", key, "", ""};
  };
  auto none = admit(c, *p, limiter, req(""), NOW, T0);
  CHECK(none.status == 401);
  CHECK(none.message.find("X-API-Key") != std::string::npos);
  auto wrong = admit(c, *p, limiter, req("k3"), NOW, T0);
  CHECK(wrong.status == 401);
  CHECK(wrong.message.find("k3") == std::string::npos);  // a presented credential is never echoed
  CHECK(admit(c, *p, limiter, req("k1"), NOW, T0).status == 0);
  CHECK(admit(c, *p, limiter, req("k1"), NOW, T0).status == 0);
  auto limited = admit(c, *p, limiter, req("k1"), NOW, T0);
  CHECK(limited.status == 429);
  CHECK(limited.type == "rate_limited");
  CHECK(limited.retry_after == 1s);
  CHECK(std::find(limited.headers.begin(), limited.headers.end(), std::pair<std::string, std::string>{"Retry-After", "1"}) !=
        limited.headers.end());
  // Keyed by API key: the same client address with another key has its own bucket.
  CHECK(admit(c, *p, limiter, req("k2"), NOW, T0).status == 0);
  // Per-route limit (0.5/s, burst 1) on top of the global one.
  CHECK(admit(c, *p, limiter, req("k2", "/slow"), NOW, T0 + 10s).status == 0);
  auto route_limited = admit(c, *p, limiter, req("k2", "/slow"), NOW, T0 + 10s);
  CHECK(route_limited.status == 429);
  CHECK(route_limited.retry_after == 2s);
}

TEST_CASE("admission: JWT or API key, CORS preflight answered before auth") {
  config::Config c;
  c.auth.api_keys = config::ApiKeysConfig{"X-API-Key", "", "", {"k1"}};
  c.auth.jwt = config::JwtConfig{};
  c.auth.jwt->hs256_secret = SECRET;
  c.cors = config::CorsConfig{};
  c.cors->origins = {"https://app.example.com"};
  std::string error;
  auto p = make_policies(c, error);
  REQUIRE(p);
  RateLimiter limiter;
  std::string bearer = "Bearer " + hs256({{"alg", "HS256"}}, {{"exp", at(60s)}});
  CHECK(admit(c, *p, limiter, {"GET", "/", "1.2.3.4", "", bearer, "", "", ""}, NOW, T0).status == 0);
  CHECK(admit(c, *p, limiter, {"GET", "/", "1.2.3.4", "", "", "k1", "", ""}, NOW, T0).status == 0);
  auto bad = admit(c, *p, limiter, {"GET", "/", "1.2.3.4", "", "Bearer a.b.c", "", "", ""}, NOW, T0);
  CHECK(bad.status == 401);
  CHECK(bad.message.find("invalid bearer token") != std::string::npos);
  auto preflight = admit(c, *p, limiter, {"OPTIONS", "/", "1.2.3.4", "https://app.example.com", "", "", "GET", ""}, NOW, T0);
  CHECK(preflight.status == 204);
  auto denied = admit(c, *p, limiter, {"OPTIONS", "/", "1.2.3.4", "https://evil.example", "", "", "GET", ""}, NOW, T0);
  CHECK(denied.status == 403);
  CHECK(denied.type == "cors_forbidden");
  // An allowed origin's actual request passes auth with its CORS headers kept for the response.
  auto actual = admit(c, *p, limiter, {"GET", "/", "1.2.3.4", "https://app.example.com", "", "k1", "", ""}, NOW, T0);
  CHECK(actual.status == 0);
  CHECK_FALSE(actual.headers.empty());
}
