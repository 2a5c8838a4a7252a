#pragma once
// TLS contexts for the listener (server) and https backends (client).
#include <memory>
#include <string>

#include "config/config.h"
#include "gateway/asio.h"

namespace parity::gateway {

// TLS 1.2+ (or 1.3 only), forward-secret AEAD ciphers, session cache on. On failure (missing files,
// key not matching the certificate) returns nullptr and sets `error` to a message for the operator.
std::shared_ptr<asio::ssl::context> make_server_tls(const config::TlsConfig& tls, std::string& error);

// For https backends: verifies the peer against `backend.ca` (or the system store) unless verify is off.
std::shared_ptr<asio::ssl::context> make_client_tls(const config::BackendConfig& backend, std::string& error);

}  // namespace parity::gateway
