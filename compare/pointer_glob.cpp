#include "compare/pointer_glob.h"

#include <algorithm>

#include "compare/json_pointer.h"
#include "core/http_message.h"

namespace parity::compare {
namespace {

constexpr std::string_view kHeaderPrefix = "header:";

}  // namespace

std::optional<PointerGlob> PointerGlob::parse(std::string_view text, std::string& error) {
  PointerGlob glob;
  glob.text_ = std::string(text);
  if (text == "status") {
    glob.special_ = "status";
    return glob;
  }
  if (text.size() >= kHeaderPrefix.size() && iequals(text.substr(0, kHeaderPrefix.size()), kHeaderPrefix)) {
    std::string_view name = text.substr(kHeaderPrefix.size());
    if (name.empty()) {
      error = "header: needs a header name, e.g. header:date";
      return std::nullopt;
    }
    glob.special_ = std::string(kHeaderPrefix) + to_lower(name);
    return glob;
  }
  if (text.empty()) {
    error = "empty glob; the whole body is /**";
    return std::nullopt;
  }
  auto tokens = split_pointer(text);
  if (!tokens) {
    error = text.front() != '/'
                ? "must start with / (a JSON Pointer), or be status or header:<name>"
                : "invalid escape: ~ must be followed by 0 (for ~) or 1 (for /)";
    return std::nullopt;
  }
  for (auto& token : *tokens) {
    Part part;
    if (token == "*") {
      part.kind = Segment::one;
    } else if (token == "**") {
      part.kind = Segment::any;
    } else {
      part.literal = std::move(token);
    }
    glob.parts_.push_back(std::move(part));
  }
  return glob;
}

std::vector<bool> PointerGlob::reachable(const std::vector<std::string>& tokens) const {
  const std::size_t n = tokens.size();
  std::vector<bool> current(n + 1, false);
  current[0] = true;
  std::vector<bool> next(n + 1);
  for (const Part& part : parts_) {
    std::fill(next.begin(), next.end(), false);
    bool any_before = false;
    for (std::size_t j = 0; j <= n; ++j) {
      switch (part.kind) {
        case Segment::any:
          any_before = any_before || current[j];
          next[j] = any_before;
          break;
        case Segment::one:
          if (j < n && current[j]) next[j + 1] = true;
          break;
        case Segment::literal:
          if (j < n && current[j] && tokens[j] == part.literal) next[j + 1] = true;
          break;
      }
    }
    current.swap(next);
  }
  return current;
}

bool PointerGlob::matches(const std::vector<std::string>& tokens) const {
  if (!special_.empty()) return false;
  return reachable(tokens).back();
}

bool PointerGlob::covers(const std::vector<std::string>& tokens) const {
  if (!special_.empty()) return false;
  auto reach = reachable(tokens);
  return std::find(reach.begin(), reach.end(), true) != reach.end();
}

bool PointerGlob::matches(std::string_view pointer) const {
  if (!special_.empty()) return special_ == to_lower(pointer);
  auto tokens = split_pointer(pointer);
  return tokens && matches(*tokens);
}

bool PointerGlob::covers(std::string_view pointer) const {
  if (!special_.empty()) return special_ == to_lower(pointer);
  auto tokens = split_pointer(pointer);
  return tokens && covers(*tokens);
}

std::vector<PointerGlob> parse_globs(const std::vector<std::string>& texts) {
  std::vector<PointerGlob> globs;
  std::string error;
  for (const auto& text : texts) {
    if (auto glob = PointerGlob::parse(text, error)) globs.push_back(std::move(*glob));
  }
  return globs;
}

bool any_covers(const std::vector<PointerGlob>& globs, const std::vector<std::string>& tokens) {
  return std::any_of(globs.begin(), globs.end(), [&](const PointerGlob& g) { return g.covers(tokens); });
}

bool any_covers(const std::vector<PointerGlob>& globs, std::string_view pointer) {
  if (globs.empty()) return false;
  // Split once for all globs; "status" and "header:<name>" are not JSON Pointers.
  if (auto tokens = split_pointer(pointer)) return any_covers(globs, *tokens);
  return std::any_of(globs.begin(), globs.end(), [&](const PointerGlob& g) { return g.covers(pointer); });
}

bool any_matches(const std::vector<PointerGlob>& globs, const std::vector<std::string>& tokens) {
  return std::any_of(globs.begin(), globs.end(), [&](const PointerGlob& g) { return g.matches(tokens); });
}

}  // namespace parity::compare
