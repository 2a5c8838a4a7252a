// parity ctl: the admin API's client. Address and token come from the config's `admin` section
// (admin.listen, the variable named by admin.token_env), overridable by --admin and PARITY_ADMIN_TOKEN.
// Exit codes: 0 done, 1 refused (rejected reload, invalid change, wrong token), 2 usage or connection error.
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "config/url.h"

namespace parity::cli {
namespace {

struct CtlOptions {
  std::string file;
  std::string admin;   // host:port override
  std::string reason;
  std::string side;    // serve legacy|candidate
  std::string state;   // mirror on|off
  bool json = false;
  std::vector<std::string> all;  // --all: every instance's admin address (host:port, or @FILE of them)
};

std::string actor_name() {
  const char* user = std::getenv("USER");  // NOLINT(concurrency-mt-unsafe): read once
  return std::string("ctl:") + (user && *user ? user : "unknown");
}

std::string text_or(const nlohmann::json& j, const char* key, const std::string& fallback = "-") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void print_status(const nlohmann::json& s) {
  std::ostringstream out;
  const auto& mirror = s.value("mirror", nlohmann::json::object());
  const auto& guard = s.value("guard", nlohmann::json::object());
  out << "serve:        " << text_or(s, "serve") << "  (config v" << text_or(s, "config_version") << ")\n";
  out << "mirror:       " << (mirror.value("enabled", false) ? "on" : "off") << ", "
      << text_or(mirror, "sample_percent") << " % sampled\n";
  out << "guard:        ";
  if (!guard.value("configured", false)) {
    out << "not configured";
  } else {
    out << (guard.value("armed", false) ? "armed" : "disarmed");
    if (guard.value("latched", false)) out << ", TRIPPED (rolled back to legacy until an operator switches)";
    out << "; max error rate " << text_or(guard, "max_error_rate") << ", max mismatch rate "
        << text_or(guard, "max_mismatch_rate") << " over " << text_or(guard, "window_s") << " s (min "
        << text_or(guard, "min_requests") << ")";
    if (auto w = guard.find("window"); w != guard.end()) {
      out << "\n              window: " << text_or(*w, "requests") << " requests, " << text_or(*w, "errors")
          << " errors, " << text_or(*w, "compared") << " compared, " << text_or(*w, "mismatches") << " mismatches";
    }
    out << "; trips " << text_or(guard, "trips");
  }
  out << "\n";
  const auto& last = s.value("last_switch", nlohmann::json());
  out << "last switch:  ";
  if (last.is_object()) {
    out << text_or(last, "from") << " -> " << text_or(last, "to") << " by " << text_or(last, "who") << " at "
        << text_or(last, "ts") << " (" << text_or(last, "reason", "no reason") << ")";
  } else {
    out << "none since start";
  }
  out << "\n";
  out << "instance:     " << text_or(s, "instance") << ", up " << s.value("uptime_s", 0.0) << " s\n";
  out << "counters:    ";
  const auto counters = s.value("counters", nlohmann::json::object());  // items() must not outlive it
  for (const auto& [name, value] : counters.items()) {
    out << " " << name << " " << value.dump();
  }
  out << "\n";
  std::cout << out.str();
}

int run_ctl(const CtlOptions& o, const std::string& method, const std::string& path, const nlohmann::json& body) {
  auto admin = config::load_admin_config(o.file, config::process_env);
  if (!admin.admin) {
    std::cerr << "parity ctl: invalid admin section" << (o.file.empty() ? "" : " in " + o.file) << ":\n"
              << config::format_errors(admin.errors);
    return 2;
  }
  const std::string address = o.admin.empty() ? admin.admin->listen : o.admin;
  std::string reason;
  auto hp = config::parse_host_port(address, reason);
  if (!hp || hp->port == 0) {
    std::cerr << "parity ctl: bad admin address '" << address << "': " << (hp ? "port 0" : reason) << "\n";
    return 2;
  }
  auto token = config::process_env("PARITY_ADMIN_TOKEN");
  if (!token || token->empty()) token = config::process_env(admin.admin->token_env.c_str());
  if (!token || token->empty()) {
    std::cerr << "parity ctl: no admin token: set PARITY_ADMIN_TOKEN (or $" << admin.admin->token_env << ")\n";
    return 2;
  }
  httplib::Client client(hp->host, hp->port);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(60));
  httplib::Headers headers{{"Authorization", "Bearer " + *token}, {"X-Parity-Actor", actor_name()}};
  auto result = method == "GET" ? client.Get(path.c_str(), headers)
                                : client.Post(path.c_str(), headers, body.dump(), "application/json");
  if (!result) {
    std::cerr << "parity ctl: cannot reach the admin API at http://" << address << path << ": "
              << httplib::to_string(result.error()) << "\n";
    return 2;
  }
  auto reply = nlohmann::json::parse(result->body, nullptr, false);
  if (reply.is_discarded()) {
    std::cerr << "parity ctl: unexpected answer (HTTP " << result->status << "): " << result->body << "\n";
    return 2;
  }
  if (result->status == 200) {
    if (o.json) {
      std::cout << reply.dump(2) << "\n";
    } else if (path == "/status") {
      print_status(reply);
    } else {
      std::cout << text_or(reply, "message") << "\n";
    }
    return 0;
  }
  if (o.json) std::cout << reply.dump(2) << "\n";
  if (auto err = reply.find("error"); err != reply.end() && err->is_object()) {
    std::cerr << "parity ctl: " << text_or(*err, "message") << " (HTTP " << result->status << ")\n";
  } else {
    std::cerr << "parity ctl: " << text_or(reply, "message") << " (HTTP " << result->status << ")\n";
    for (const auto& e : reply.value("errors", nlohmann::json::array())) {
      std::cerr << "  " << text_or(e, "key") << ": " << text_or(e, "reason") << "\n";
    }
  }
  // 401 and 422 are refusals; 400/404/405 mean this client and that gateway disagree on usage.
  return result->status == 401 || result->status == 422 ? 1 : 2;
}

// The addresses of --all: host:port items, commas allowed, and @FILE for a file of them (one per line,
// # comments), e.g. the admin addresses of every gateway instance of a cluster.
bool expand_addresses(const std::vector<std::string>& items, std::vector<std::string>& out) {
  auto add = [&](std::string text) {
    std::stringstream ss(text);
    for (std::string a; std::getline(ss, a, ',');) {
      a.erase(0, a.find_first_not_of(" \t\r"));
      a.erase(a.find_last_not_of(" \t\r") + 1);
      if (!a.empty() && a.front() != '#') out.push_back(a);
    }
  };
  for (const auto& item : items) {
    if (item.empty() || item.front() != '@') {
      add(item);
      continue;
    }
    std::ifstream in(item.substr(1));
    if (!in) {
      std::cerr << "parity ctl: cannot read the address list " << item.substr(1) << "\n";
      return false;
    }
    for (std::string line; std::getline(in, line);) add(line.substr(0, line.find('#')));
  }
  if (out.empty()) std::cerr << "parity ctl: --all lists no address\n";
  return !out.empty();
}

// One instance, or with --all each listed instance in turn (every one is tried; the worst exit code wins).
int run_ctl_each(const CtlOptions& o, const std::string& method, const std::string& path, const nlohmann::json& body) {
  if (o.all.empty()) return run_ctl(o, method, path, body);
  std::vector<std::string> addresses;
  if (!expand_addresses(o.all, addresses)) return 2;
  int worst = 0;
  for (const auto& address : addresses) {
    CtlOptions one = o;
    one.admin = address;
    if (!o.json) std::cout << "== " << address << "\n" << std::flush;
    worst = std::max(worst, run_ctl(one, method, path, body));
  }
  return worst;
}

}  // namespace

void register_ctl_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CtlOptions>();
  auto* ctl = app.add_subcommand("ctl", "Talk to a running gateway's admin API: status, serve, reload, mirror");
  ctl->require_subcommand(1);
  ctl->fallthrough();  // -c/--admin/--json may also follow the action
  ctl->add_option("-c,--config", o->file, "Config file whose `admin` section names the address and token variable")
      ->check(CLI::ExistingFile);
  ctl->add_option("--admin", o->admin, "Admin API address host:port (default: admin.listen, 127.0.0.1:9901)");
  ctl->add_option("--all", o->all,
                  "Apply to every listed instance: host:port,… or @FILE (one address per line); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  ctl->add_flag("--json", o->json, "Print the API's JSON answer instead of a summary");
  ctl->footer(
      "The token is read from PARITY_ADMIN_TOKEN, else from the variable named by admin.token_env.\n"
      "Each change is logged and audited with who = ctl:$USER.\n"
      "Exit codes: 0 done, 1 refused (reload rejected, wrong token), 2 usage or connection error.");

  auto* status = ctl->add_subcommand("status", "Print serve, mirror, config version, guard, last switch, counters");
  status->callback([o, &exit_code] { exit_code = run_ctl_each(*o, "GET", "/status", {}); });

  auto* serve = ctl->add_subcommand("serve", "Switch who answers clients (cut over / roll back) until the next reload");
  serve->add_option("side", o->side, "legacy or candidate")->required()->check(CLI::IsMember({"legacy", "candidate"}));
  serve->add_option("--reason", o->reason, "Why (kept in the audit trail)");
  serve->callback([o, &exit_code] {
    exit_code = run_ctl_each(*o, "POST", "/serve", {{"serve", o->side}, {"reason", o->reason}});
  });

  auto* reload = ctl->add_subcommand("reload", "Re-read the gateway's config file (exit 1 with the errors if invalid)");
  reload->add_option("--reason", o->reason, "Why (kept in the audit trail)");
  reload->callback([o, &exit_code] { exit_code = run_ctl_each(*o, "POST", "/reload", {{"reason", o->reason}}); });

  auto* mirror = ctl->add_subcommand("mirror", "Turn mirroring on or off (the kill switch) until the next reload");
  mirror->add_option("state", o->state, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  mirror->add_option("--reason", o->reason, "Why (kept in the audit trail)");
  mirror->callback([o, &exit_code] {
    exit_code = run_ctl_each(*o, "POST", "/mirror", {{"enabled", o->state == "on"}, {"reason", o->reason}});
  });
}

}  // namespace parity::cli
