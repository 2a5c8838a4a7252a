#include "gateway/admin_api.h"

namespace parity::gateway {
namespace {

AdminResponse error(int status, std::string type, std::string message) {
  return {status, {{"error", {{"type", std::move(type)}, {"message", std::move(message)}}}}};
}

}  // namespace

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Every byte of the longer string is visited whatever the contents; only the length may leak.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

AdminApi::AdminApi(AdminTarget& target, std::string token, MetricsRegistry& metrics,
                   std::shared_ptr<spdlog::logger> log)
    : target_(target),
      token_(std::move(token)),
      log_(std::move(log)),
      unauthorized_(metrics.counter("parity_admin_unauthorized_total", {},
                                    "Admin API requests refused for a missing or wrong bearer token")),
      requests_(metrics.counter("parity_admin_requests_total", {}, "Admin API requests with a valid token")) {}

AdminResponse AdminApi::change(const ChangeResult& result) {
  nlohmann::json body = {{"result", to_string(result.status)},
                         {"config_version", result.version},
                         {"message", result.message}};
  if (result.status != ChangeResult::Status::rejected) return {200, body};
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : result.errors) errors.push_back({{"key", e.key}, {"reason", e.reason}});
  body["errors"] = std::move(errors);
  return {422, body};
}

AdminResponse AdminApi::handle(const AdminRequest& request) {
  static constexpr std::string_view kBearer = "Bearer ";
  const bool has_bearer = request.authorization.compare(0, kBearer.size(), kBearer) == 0;
  const std::string presented = has_bearer ? request.authorization.substr(kBearer.size()) : std::string();
  if (!has_bearer || !constant_time_equal(presented, token_)) {
    unauthorized_.inc();
    log_->warn("admin API: {} {} from {} refused: {} bearer token", request.method, request.path, request.peer,
               has_bearer ? "wrong" : "missing");
    return error(401, "unauthorized", "a valid `Authorization: Bearer <token>` header is required");
  }
  requests_.inc();
  const Actor actor{request.actor.empty() ? "admin-api" : request.actor.substr(0, 128), request.peer};
  const bool get = request.method == "GET", post = request.method == "POST";
  if (request.path == "/status" || request.path == "/aggregates") {
    if (!get) return error(405, "method_not_allowed", "use GET " + request.path);
    return {200, request.path == "/status" ? target_.status() : target_.aggregates()};
  }
  if (request.path != "/serve" && request.path != "/reload" && request.path != "/mirror") {
    return error(404, "not_found", "no admin endpoint " + request.path +
                                       " (GET /status, GET /aggregates, POST /serve, POST /reload, POST /mirror)");
  }
  if (!post) return error(405, "method_not_allowed", "use POST " + request.path);
  nlohmann::json body = nlohmann::json::object();
  if (!request.body.empty()) {
    body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return error(400, "bad_request", "the body must be a JSON object");
  }
  std::string reason;
  if (auto it = body.find("reason"); it != body.end()) {
    if (!it->is_string()) return error(400, "bad_request", "`reason` must be a string");
    reason = it->get<std::string>().substr(0, 1024);
  }
  if (request.path == "/reload") return change(target_.reload(actor, reason));
  if (request.path == "/serve") {
    auto it = body.find("serve");
    if (it == body.end() || !it->is_string() || (*it != "legacy" && *it != "candidate")) {
      return error(400, "bad_request", "`serve` must be \"legacy\" or \"candidate\"");
    }
    return change(target_.set_serve(*it == "legacy" ? config::Side::legacy : config::Side::candidate, actor, reason));
  }
  auto it = body.find("enabled");
  if (it == body.end() || !it->is_boolean()) return error(400, "bad_request", "`enabled` must be true or false");
  return change(target_.set_mirror(it->get<bool>(), actor, reason));
}

}  // namespace parity::gateway
