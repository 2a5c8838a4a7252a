#include "gateway/control.h"

#include "core/time_format.h"
#include "gateway/start_only_settings.h"

namespace parity::gateway {

using config::Side;

const char* to_string(ChangeResult::Status status) {
  switch (status) {
    case ChangeResult::Status::applied: return "applied";
    case ChangeResult::Status::unchanged: return "unchanged";
    case ChangeResult::Status::rejected: return "rejected";
  }
  return "?";
}

Control::Control(SnapshotHolder& holder, ControlDeps deps)
    : holder_(holder),
      deps_(std::move(deps)),
      guard_trips_(deps_.metrics->counter("parity_guard_trips_total", {},
                                          "Automatic rollbacks to legacy by the cut-over guard")) {}

bool Control::init(std::shared_ptr<const config::Config> config, std::string& error) {
  std::lock_guard lock(mutex_);
  auto snapshot = make_snapshot(config, 1, nullptr, error);
  if (!snapshot) return false;
  version_ = 1;
  file_serve_ = config->serve;
  holder_.set(snapshot);
  if (deps_.guard) deps_.guard->arm(config->guard, config->serve == Side::candidate);
  return true;
}

void Control::audit(const Actor& actor, const std::string& action, const std::string& from, const std::string& to,
                    const std::string& reason, const std::string& result) {
  if (!deps_.audit) return;
  nlohmann::json entry = {{"ts", format_rfc3339_ms(deps_.clock->now())},
                          {"who", actor.who},
                          {"peer", actor.peer},
                          {"action", action},
                          {"from", from},
                          {"to", to},
                          {"reason", reason},
                          {"result", result},
                          {"config_version", version_}};
  deps_.audit->append(entry);
}

ChangeResult Control::reject(const Actor& actor, const std::string& action, const std::string& reason,
                             std::vector<config::ConfigError> errors) {
  ChangeResult result;
  result.status = ChangeResult::Status::rejected;
  result.version = version_;
  result.errors = std::move(errors);
  result.message = action + " rejected, configuration v" + std::to_string(version_) + " stays in force";
  deps_.metrics->counter("parity_config_changes_total", {{"action", action}, {"result", "rejected"}},
                         "Runtime configuration changes by action and result").inc();
  if (action == "reload") {
    deps_.metrics->counter("parity_reloads_total", {{"result", "rejected"}}, "Configuration reloads").inc();
  }
  deps_.log->warn("{} by {}{}: {}:\n{}", result.message, actor.who, actor.peer.empty() ? "" : " (" + actor.peer + ")",
                  reason.empty() ? "invalid configuration" : reason, config::format_errors(result.errors));
  const auto serve = config::to_string(holder_.get()->config->serve);
  std::string why = reason;
  for (const auto& e : result.errors) why += (why.empty() ? "" : "; ") + e.key + ": " + e.reason;
  audit(actor, action, serve, serve, why, "rejected");
  return result;
}

ChangeResult Control::apply(config::Config next, const Actor& actor, const std::string& action,
                            const std::string& reason) {
  auto current = holder_.get();
  const auto& before = *current->config;
  // The listening socket is bound at start; changing it needs a restart. (Its TLS certificate, key and
  // client CA are read again on every reload: see make_snapshot.)
  if (next.listen != before.listen || next.insecure_http != before.insecure_http) {
    return reject(actor, action, reason,
                  {{"listen", "listen and insecure_http cannot change without a restart of the gateway"}});
  }
  // Settings the running gateway was built from stay as they are; say so rather than pretend they moved.
  for (const auto& change : start_only_changes(before, next)) {
    deps_.log->warn("{} changed to {} by {}: read at start only, {} stays in force until a restart", change.key,
                    change.asked, action, change.kept);
    deps_.metrics
        ->counter("parity_config_restart_pending_total", {{"key", change.key}},
                  "Reloaded settings that only take effect at the next restart, by key")
        .inc();
  }
  std::string error;
  auto config = std::make_shared<const config::Config>(std::move(next));
  auto snapshot = make_snapshot(config, version_ + 1, current.get(), error, action == "reload");
  if (!snapshot) {
    const bool listener = error.rfind("tls", 0) == 0 || error.rfind("auth", 0) == 0;
    return reject(actor, action, reason, {{listener ? "" : "backends", error}});
  }
  ++version_;
  holder_.set(snapshot);
  if (deps_.guard) deps_.guard->arm(config->guard, config->serve == Side::candidate);

  deps_.metrics->counter("parity_config_changes_total", {{"action", action}, {"result", "applied"}},
                         "Runtime configuration changes by action and result").inc();
  if (action == "reload") {
    deps_.metrics->counter("parity_reloads_total", {{"result", "applied"}}, "Configuration reloads").inc();
  }
  const std::string who = actor.who + (actor.peer.empty() ? "" : " (" + actor.peer + ")");
  const std::string from_serve = config::to_string(before.serve), to_serve = config::to_string(config->serve);
  std::string from = from_serve, to = to_serve;
  if (action == "mirror") {
    from = before.mirror.enabled ? "on" : "off";
    to = config->mirror.enabled ? "on" : "off";
  }
  if (before.serve != config->serve) {
    deps_.metrics->counter("parity_serve_switches_total", {{"to", to_serve}}, "Serve switches by the side now served")
        .inc();
    last_switch_ = {{"ts", format_rfc3339_ms(deps_.clock->now())},
                    {"who", actor.who},
                    {"peer", actor.peer},
                    {"action", action},
                    {"from", from_serve},
                    {"to", to_serve},
                    {"reason", reason},
                    {"config_version", version_}};
    deps_.log->warn("audit: serve switched {} -> {} by {} ({}); configuration v{}", from_serve, to_serve, who,
                    reason.empty() ? "no reason given" : reason, version_);
  } else {
    deps_.log->info("audit: {} by {} applied configuration v{}: serve {}, mirror {}{}", action, who, version_, to_serve,
                    config->mirror.enabled ? "on" : "off", reason.empty() ? "" : " (" + reason + ")");
  }
  audit(actor, action, from, to, reason, "applied");
  ChangeResult result;
  result.status = ChangeResult::Status::applied;
  result.version = version_;
  result.message = "configuration v" + std::to_string(version_) + " applied: serve " + to_serve + ", mirror " +
                   (config->mirror.enabled ? "on" : "off");
  return result;
}

ChangeResult Control::reload(const Actor& actor, const std::string& reason) {
  if (!deps_.reload_source) {
    std::lock_guard lock(mutex_);
    return reject(actor, "reload", reason, {{"(file)", "this gateway has no configuration source to reload"}});
  }
  // Reading and validating the file happens outside the lock; only the swap is serialised.
  auto loaded = deps_.reload_source();
  std::lock_guard lock(mutex_);
  if (!loaded.config) return reject(actor, "reload", reason, std::move(loaded.errors));
  config::Config next = std::move(*loaded.config);
  const Side file_serve = next.serve;
  std::string why = reason;
  if (guard_latched_) {
    if (file_serve_ && *file_serve_ != file_serve) {
      guard_latched_ = false;  // the operator edited `serve`: that is an explicit decision
    } else if (next.serve == Side::candidate) {
      next.serve = Side::legacy;
      deps_.log->warn("reload: the guard's rollback stays in force, serving legacy although the file says "
                      "candidate; `parity ctl serve candidate` (or editing serve in the file) cuts over again");
      why += std::string(why.empty() ? "" : "; ") + "guard rollback in force: serve kept at legacy";
    }
  }
  auto result = apply(std::move(next), actor, "reload", why);
  if (result.status == ChangeResult::Status::applied) file_serve_ = file_serve;
  return result;
}

ChangeResult Control::apply_config(std::shared_ptr<const config::Config> config, const Actor& actor,
                                   const std::string& reason) {
  std::lock_guard lock(mutex_);
  return apply(*config, actor, "reload", reason);
}

ChangeResult Control::set_serve(Side serve, const Actor& actor, const std::string& reason) {
  std::lock_guard lock(mutex_);
  guard_latched_ = false;  // an operator decided: the guard's latch no longer applies
  auto current = holder_.get();
  if (current->config->serve == serve) {
    return {ChangeResult::Status::unchanged, version_, {}, std::string("already serving ") + config::to_string(serve)};
  }
  config::Config next = *current->config;
  next.serve = serve;
  return apply(std::move(next), actor, "serve", reason);
}

ChangeResult Control::set_mirror(bool enabled, const Actor& actor, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto current = holder_.get();
  if (current->config->mirror.enabled == enabled) {
    return {ChangeResult::Status::unchanged, version_, {}, std::string("mirror already ") + (enabled ? "on" : "off")};
  }
  config::Config next = *current->config;
  next.mirror.enabled = enabled;
  return apply(std::move(next), actor, "mirror", reason);
}

ChangeResult Control::guard_rollback(const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto current = holder_.get();
  if (current->config->serve != Side::candidate) {
    return {ChangeResult::Status::unchanged, version_, {}, "legacy is already served"};
  }
  guard_trips_.inc();
  deps_.log->warn("guard tripped: {}; switching back to legacy", reason);
  config::Config next = *current->config;
  next.serve = Side::legacy;
  auto result = apply(std::move(next), {"guard", ""}, "guard", reason);
  if (result.status == ChangeResult::Status::applied) guard_latched_ = true;
  return result;
}

nlohmann::json Control::status() const {
  std::lock_guard lock(mutex_);
  auto snapshot = holder_.get();
  const auto& cfg = *snapshot->config;
  nlohmann::json guard = {{"configured", cfg.guard.has_value()},
                          {"armed", deps_.guard && deps_.guard->armed()},
                          {"latched", guard_latched_},
                          {"trips", guard_trips_.value()}};
  if (cfg.guard) {
    const auto& g = *cfg.guard;
    guard["window_s"] = g.window_s;
    guard["min_requests"] = g.min_requests;
    guard["max_error_rate"] = g.max_error_rate ? nlohmann::json(*g.max_error_rate) : nlohmann::json();
    guard["max_mismatch_rate"] = g.max_mismatch_rate ? nlohmann::json(*g.max_mismatch_rate) : nlohmann::json();
    if (deps_.guard) {
      auto w = deps_.guard->window();
      guard["window"] = {{"requests", w.requests}, {"errors", w.errors}, {"compared", w.compared},
                         {"mismatches", w.mismatches}};
    }
  }
  return {{"serve", config::to_string(cfg.serve)},
          {"config_version", snapshot->version},
          {"mirror", {{"enabled", cfg.mirror.enabled}, {"sample_percent", cfg.mirror.sample_percent}}},
          {"guard", guard},
          {"last_switch", last_switch_}};
}

}  // namespace parity::gateway
