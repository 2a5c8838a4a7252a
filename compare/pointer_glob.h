#pragma once
// Pointer globs select places in a body for the `ignore`, `unordered` and `noise.fields` rules.
//
//   /choices/0/message   a JSON Pointer (RFC 6901 escaping: ~0 is "~", ~1 is "/")
//   /data/*/id           a segment that is exactly "*" matches exactly one segment (a key or an index)
//   /**/request_id       a segment that is exactly "**" matches any number of segments, including none
//   status, header:date  the status line or one compared header (name case-insensitive)
//
// `covers` is what `ignore` and `noise.fields` use: a glob that matches a location also covers everything
// under it. `unordered` uses `matches`: only the array the glob names is a multiset, not arrays inside it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parity::compare {

class PointerGlob {
 public:
  // nullopt with `error` set to the reason when `text` is not a valid glob.
  static std::optional<PointerGlob> parse(std::string_view text, std::string& error);

  // `tokens` are the unescaped reference tokens of a body location.
  bool matches(const std::vector<std::string>& tokens) const;
  bool covers(const std::vector<std::string>& tokens) const;
  // The same for a difference's pointer: a JSON Pointer, "status" or "header:<name>".
  bool matches(std::string_view pointer) const;
  bool covers(std::string_view pointer) const;

  const std::string& text() const { return text_; }

 private:
  enum class Segment { literal, one, any };
  struct Part {
    Segment kind = Segment::literal;
    std::string literal;
  };

  // Token positions reachable after matching every part; [j] is true when the glob matches tokens[0, j).
  std::vector<bool> reachable(const std::vector<std::string>& tokens) const;

  std::string text_;
  std::vector<Part> parts_;
  std::string special_;  // "status" or "header:<lower-case name>"; then parts_ is unused
};

// Parses every glob that is valid; invalid ones are skipped (validate_rules reports them at load).
std::vector<PointerGlob> parse_globs(const std::vector<std::string>& texts);

bool any_covers(const std::vector<PointerGlob>& globs, const std::vector<std::string>& tokens);
bool any_covers(const std::vector<PointerGlob>& globs, std::string_view pointer);
bool any_matches(const std::vector<PointerGlob>& globs, const std::vector<std::string>& tokens);

}  // namespace parity::compare
