#include "compare/json_diff.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <unordered_map>

#include "compare/excerpt.h"
#include "compare/json_parse.h"
#include "compare/json_pointer.h"

namespace parity::compare {
namespace {

using nlohmann::json;

// Pair comparisons allowed when matching the leftovers of one unordered array by similarity; past it,
// leftovers are paired in order (the work stays bounded on large arrays).
constexpr std::size_t kPairingBudget = 4096;

enum class Category { null, boolean, number, string, array, object };

Category category_of(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean: return Category::boolean;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return Category::number;
    case json::value_t::string: return Category::string;
    case json::value_t::array: return Category::array;
    case json::value_t::object: return Category::object;
    default: return Category::null;
  }
}

// Numbers print the same when numbers_equal with zero tolerance would call them equal (1 and 1.0).
void canonical_number(const json& v, std::string& out) {
  if (v.is_number_unsigned()) {
    out += std::to_string(v.get<std::uint64_t>());
    return;
  }
  if (v.is_number_integer()) {
    out += std::to_string(v.get<std::int64_t>());
    return;
  }
  const double d = v.get<double>();
  if (std::nearbyint(d) == d && std::fabs(d) < 9.2e18) {
    out += std::to_string(static_cast<std::int64_t>(d));
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  out += buffer;
}

class Differ {
 public:
  // sink == nullptr counts differences without building them; counting stops at `stop_after`.
  Differ(const JsonDiffOptions& options, const DifferenceSink* sink, std::vector<std::string> tokens,
         std::string pointer, std::size_t stop_after = std::numeric_limits<std::size_t>::max())
      : options_(options), sink_(sink), tokens_(std::move(tokens)), pointer_(std::move(pointer)),
        stop_after_(stop_after) {}

  void run(const json& legacy, const json& candidate, std::size_t depth) { diff(legacy, candidate, depth); }
  std::size_t count() const { return count_; }

 private:
  bool done() const { return count_ >= stop_after_; }

  void push(std::string_view token) {
    lengths_.push_back(pointer_.size());
    append_token(pointer_, token);
    tokens_.emplace_back(token);
  }
  void pop() {
    pointer_.resize(lengths_.back());
    lengths_.pop_back();
    tokens_.pop_back();
  }

  void emit(DiffKind kind, json legacy, json candidate) {
    ++count_;
    if (sink_ == nullptr) return;
    (*sink_)(Difference{pointer_, kind, std::move(legacy), std::move(candidate), Explained::none});
  }

  void diff(const json& a, const json& b, std::size_t depth) {
    if (done()) return;
    // Ancestors were checked on the way down, so an exact match here is the same as "covered".
    if (any_matches(options_.ignore, tokens_)) return;
    if (depth > kMaxJsonDepth) {
      emit(DiffKind::body, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels: not compared",
           "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels: not compared");
      return;
    }
    const Category ca = category_of(a), cb = category_of(b);
    if (ca != cb) {
      emit(DiffKind::type, bounded_value(a), bounded_value(b));
      return;
    }
    switch (ca) {
      case Category::null: return;
      case Category::boolean:
        if (a.get<bool>() != b.get<bool>()) emit(DiffKind::value, a, b);
        return;
      case Category::number:
        if (!numbers_equal(a, b, options_.number_tolerance)) emit(DiffKind::value, a, b);
        return;
      case Category::string: {
        const auto& sa = a.get_ref<const std::string&>();
        const auto& sb = b.get_ref<const std::string&>();
        if (sa == sb) return;
        auto [la, lb] = bounded_text_pair(sa, sb);
        emit(DiffKind::value, std::move(la), std::move(lb));
        return;
      }
      case Category::object: return diff_object(a, b, depth);
      case Category::array:
        if (any_matches(options_.unordered, tokens_)) return diff_unordered(a, b, depth);
        return diff_ordered(a, b, depth);
    }
  }

  void diff_object(const json& a, const json& b, std::size_t depth) {
    for (const auto& [key, value] : a.items()) {
      if (done()) return;
      push(key);
      auto it = b.find(key);
      if (it == b.end()) {
        if (!any_matches(options_.ignore, tokens_)) emit(DiffKind::missing, bounded_value(value), nullptr);
      } else {
        diff(value, *it, depth + 1);
      }
      pop();
    }
    for (const auto& [key, value] : b.items()) {
      if (done()) return;
      if (a.contains(key)) continue;
      push(key);
      if (!any_matches(options_.ignore, tokens_)) emit(DiffKind::extra, nullptr, bounded_value(value));
      pop();
    }
  }

  void diff_ordered(const json& a, const json& b, std::size_t depth) {
    if (a.size() != b.size()) emit(DiffKind::array_length, a.size(), b.size());
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common && !done(); ++i) {
      push(std::to_string(i));
      diff(a[i], b[i], depth + 1);
      pop();
    }
  }

  // Canonical text of `v` at the current path: ignored and volatile places left out, numbers
  // normalised, object keys sorted (nlohmann keeps them sorted).
  void canonical(const json& v, std::string& out, std::size_t depth) {
    if (any_matches(options_.ignore, tokens_) || any_matches(options_.volatile_fields, tokens_)) {
      out += '~';
      return;
    }
    if (depth > kMaxJsonDepth) {
      out += '!';
      return;
    }
    switch (category_of(v)) {
      case Category::number: canonical_number(v, out); return;
      case Category::object:
        out += '{';
        for (const auto& [key, value] : v.items()) {
          out += dump_json(key);
          out += ':';
          push(key);
          canonical(value, out, depth + 1);
          pop();
          out += ',';
        }
        out += '}';
        return;
      case Category::array:
        out += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
          push(std::to_string(i));
          canonical(v[i], out, depth + 1);
          pop();
          out += ',';
        }
        out += ']';
        return;
      default: out += dump_json(v); return;
    }
  }

  std::vector<std::string> element_keys(const json& array, std::size_t depth) {
    std::vector<std::string> keys(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) {
      push(std::to_string(i));
      canonical(array[i], keys[i], depth + 1);
      pop();
    }
    return keys;
  }

  // Differences between a[i] and b[j] at a[i]'s pointer, counted up to `limit`.
  std::size_t distance(const json& a, std::size_t i, const json& b, std::size_t j, std::size_t limit,
                       std::size_t depth) {
    push(std::to_string(i));
    Differ counter(options_, nullptr, tokens_, pointer_, limit);
    counter.run(a[i], b[j], depth + 1);
    pop();
    return counter.count();
  }

  void diff_unordered(const json& a, const json& b, std::size_t depth) {
    if (a.size() != b.size()) emit(DiffKind::array_length, a.size(), b.size());
    constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> partner(a.size(), kNone);  // legacy index -> candidate index
    std::vector<bool> taken(b.size(), false);

    // 1. Canonical equality.
    const auto legacy_keys = element_keys(a, depth);
    const auto candidate_keys = element_keys(b, depth);
    std::unordered_multimap<std::string_view, std::size_t> by_key;
    for (std::size_t j = 0; j < b.size(); ++j) by_key.emplace(candidate_keys[j], j);
    for (std::size_t i = 0; i < a.size(); ++i) {
      auto range = by_key.equal_range(legacy_keys[i]);
      if (range.first == range.second) continue;
      // Lowest free candidate index, so that the pairing does not depend on hash order.
      auto best = range.first;
      for (auto it = range.first; it != range.second; ++it) {
        if (it->second < best->second) best = it;
      }
      partner[i] = best->second;
      taken[best->second] = true;
      by_key.erase(best);
    }

    // 2. Leftovers: each legacy element takes the free candidate element with the fewest differences.
    std::size_t budget = kPairingBudget;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (partner[i] != kNone) continue;
      std::size_t best = kNone, best_distance = kNone;
      for (std::size_t j = 0; j < b.size(); ++j) {
        if (taken[j]) continue;
        if (budget == 0) {
          if (best == kNone) best = j;  // out of budget: pair in order
          break;
        }
        --budget;
        const std::size_t d = distance(a, i, b, j, best_distance, depth);
        if (d < best_distance) {
          best = j;
          best_distance = d;
          if (d == 0) break;
        }
      }
      if (best == kNone) break;  // no free candidate element left
      partner[i] = best;
      taken[best] = true;
    }

    // 3. Report, in legacy order, then candidate-only elements.
    for (std::size_t i = 0; i < a.size() && !done(); ++i) {
      push(std::to_string(i));
      if (partner[i] == kNone) {
        if (!any_matches(options_.ignore, tokens_)) emit(DiffKind::missing, bounded_value(a[i]), nullptr);
      } else {
        diff(a[i], b[partner[i]], depth + 1);
      }
      pop();
    }
    for (std::size_t j = 0; j < b.size() && !done(); ++j) {
      if (taken[j]) continue;
      push(std::to_string(j));
      if (!any_matches(options_.ignore, tokens_)) emit(DiffKind::extra, nullptr, bounded_value(b[j]));
      pop();
    }
  }

  const JsonDiffOptions& options_;
  const DifferenceSink* sink_;
  std::vector<std::string> tokens_;
  std::string pointer_;
  std::vector<std::size_t> lengths_;
  std::size_t stop_after_;
  std::size_t count_ = 0;
};

}  // namespace

bool numbers_equal(const json& a, const json& b, double tolerance) {
  if (!a.is_number() || !b.is_number()) return false;
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool a_unsigned = a.is_number_unsigned(), b_unsigned = b.is_number_unsigned();
    if (a_unsigned == b_unsigned) {
      return a_unsigned ? a.get<std::uint64_t>() == b.get<std::uint64_t>()
                        : a.get<std::int64_t>() == b.get<std::int64_t>();
    }
    const json& s = a_unsigned ? b : a;  // the signed one
    const json& u = a_unsigned ? a : b;
    return s.get<std::int64_t>() >= 0 && static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
  }
  const double x = a.get<double>(), y = b.get<double>();
  if (x == y) return true;
  const double scale = std::max({1.0, std::fabs(x), std::fabs(y)});
  return std::fabs(x - y) <= tolerance * scale;
}

void diff_json(const json& legacy, const json& candidate, const JsonDiffOptions& options,
               const DifferenceSink& sink) {
  Differ differ(options, &sink, {}, "");
  differ.run(legacy, candidate, 0);
}

std::vector<Difference> diff_json(const json& legacy, const json& candidate, const JsonDiffOptions& options) {
  std::vector<Difference> out;
  diff_json(legacy, candidate, options, [&](Difference&& d) { out.push_back(std::move(d)); });
  return out;
}

}  // namespace parity::compare
