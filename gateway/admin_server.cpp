#include "gateway/admin_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "config/url.h"
#include "core/thread_name.h"

namespace parity::gateway {

struct AdminServer::Impl {
  Impl(AdminApi& a, std::shared_ptr<spdlog::logger> l) : api(a), log(std::move(l)) {}
  AdminApi& api;
  std::shared_ptr<spdlog::logger> log;
  httplib::Server server;
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<bool> finished{false};  // the listener thread returned

  void handle(const httplib::Request& req, httplib::Response& res) {
    AdminRequest request{req.method, req.path, req.get_header_value("Authorization"),
                         req.get_header_value("X-Parity-Actor"), req.remote_addr, req.body};
    auto response = api.handle(request);
    res.status = response.status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
  }
};

AdminServer::AdminServer(AdminApi& api, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(api, std::move(log))) {}

AdminServer::~AdminServer() { stop(); }

bool AdminServer::start(const std::string& listen, std::string& error) {
  auto& im = *impl_;
  std::string reason;
  auto hp = config::parse_host_port(listen, reason);
  if (!hp) {
    error = "admin.listen: " + reason;
    return false;
  }
  // Tuning cpp-httplib's defaults get wrong (shared/notes/http-stack.md).
  im.server.set_tcp_nodelay(true);
  im.server.set_keep_alive_max_count(1000000);
  im.server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // Without SO_REUSEPORT: a second gateway must fail to bind, not share the admin port silently.
  im.server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  im.server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":{"type":"internal","message":"admin request failed"}})", "application/json");
  });
  auto handler = [&im](const httplib::Request& req, httplib::Response& res) { im.handle(req, res); };
  // Every path goes to the one handler, which also answers 404/405 in JSON.
  im.server.Get(".*", handler);
  im.server.Post(".*", handler);
  im.server.Put(".*", handler);
  im.server.Delete(".*", handler);
  if (hp->port == 0) {
    int port = im.server.bind_to_any_port(hp->host);
    if (port <= 0) {
      error = "cannot listen on " + listen + " (admin API)";
      return false;
    }
    im.port = static_cast<std::uint16_t>(port);
  } else {
    if (!im.server.bind_to_port(hp->host, hp->port)) {
      error = "cannot listen on " + listen + " (admin API): address in use or not local";
      return false;
    }
    im.port = hp->port;
  }
  im.thread = std::thread([&im] {
    name_this_thread("parity-admin");
    im.server.listen_after_bind();
    im.finished = true;
  });
  // httplib's stop() is a no-op until the accept loop runs: wait for it, or a drain right after start
  // could never join the thread.
  while (!im.server.is_running() && !im.finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  im.log->info("admin API listening on http://{}:{}", hp->host, im.port);
  return true;
}

std::uint16_t AdminServer::port() const { return impl_->port; }

void AdminServer::stop() {
  auto& im = *impl_;
  if (!im.thread.joinable()) return;
  im.server.stop();
  im.thread.join();
}

}  // namespace parity::gateway
