#include "gateway/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace parity::gateway {
namespace {

// ECDHE key exchange (forward secrecy) with AEAD ciphers only, for TLS 1.2. TLS 1.3 suites are all
// AEAD and forward-secret already.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool restrict_protocols(SSL_CTX* ctx, int min_version, std::string& error) {
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 || SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    error = "cannot configure TLS protocols: " + openssl_error();
    return false;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  return true;
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_tls(const config::TlsConfig& tls, std::string& error) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  int min_version = tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (!restrict_protocols(native, min_version, error)) return nullptr;
  if (SSL_CTX_use_certificate_chain_file(native, tls.cert.c_str()) != 1) {
    error = "tls.cert: cannot load certificate chain from " + tls.cert + ": " + openssl_error();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(native, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the certificate while loading it.
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      error = "tls.key: the private key in " + tls.key + " does not match the certificate in " + tls.cert;
    } else {
      error = "tls.key: cannot load private key from " + tls.key + ": " + openssl_error();
    }
    return nullptr;
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    error = "tls.key: the private key does not match the certificate in " + tls.cert;
    ERR_clear_error();
    return nullptr;
  }
  if (!tls.client_ca.empty()) {
    // mTLS: ask for a client certificate signed by client_ca; require one when configured.
    if (SSL_CTX_load_verify_locations(native, tls.client_ca.c_str(), nullptr) != 1) {
      error = "tls.client_ca: cannot load CA certificates from " + tls.client_ca + ": " + openssl_error();
      return nullptr;
    }
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    int mode = SSL_VERIFY_PEER | (tls.require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(native, mode, nullptr);
  }
  // Session resumption: a server-side session cache and (OpenSSL's default) session tickets.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  static const unsigned char kSessionContext[] = "parity";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return ctx;
}

std::shared_ptr<asio::ssl::context> make_client_tls(const config::BackendConfig& backend, std::string& error) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  if (!restrict_protocols(ctx->native_handle(), TLS1_2_VERSION, error)) return nullptr;
  error_code ec;
  if (!backend.verify) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer, ec);
  if (backend.ca.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(backend.ca, ec);
  }
  if (ec) {
    error = "cannot load CA for backend " + backend.url + ": " + ec.message();
    return nullptr;
  }
  return ctx;
}

}  // namespace parity::gateway
