#include "store/record_filter.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/time_format.h"

namespace parity::store {
namespace {

bool all_digits(const std::string& s, std::size_t from, std::size_t n) {
  if (from + n > s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(from + n),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

int number(const std::string& s, std::size_t from, std::size_t n) { return std::stoi(s.substr(from, n)); }

std::optional<std::chrono::system_clock::time_point> parse_duration_ago(const std::string& text,
                                                                       std::chrono::system_clock::time_point now) {
  if (text.size() < 2 || !all_digits(text, 0, text.size() - 1) || text.size() > 10) return std::nullopt;
  const long long n = std::stoll(text.substr(0, text.size() - 1));
  switch (text.back()) {
    case 's': return now - std::chrono::seconds(n);
    case 'm': return now - std::chrono::minutes(n);
    case 'h': return now - std::chrono::hours(n);
    case 'd': return now - std::chrono::hours(24 * n);
    default: return std::nullopt;
  }
}

// YYYY-MM-DD[(T| )HH:MM:SS[.fff…](Z|±HH:MM)]
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& s) {
  if (!all_digits(s, 0, 4) || s.size() < 10 || s[4] != '-' || !all_digits(s, 5, 2) || s[7] != '-' ||
      !all_digits(s, 8, 2)) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = number(s, 0, 4) - 1900;
  tm.tm_mon = number(s, 5, 2) - 1;
  tm.tm_mday = number(s, 8, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return std::nullopt;
  long long offset_s = 0;
  long long micros = 0;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !all_digits(s, 11, 2) || s.size() < 19 || s[13] != ':' ||
        !all_digits(s, 14, 2) || s[16] != ':' || !all_digits(s, 17, 2)) {
      return std::nullopt;
    }
    tm.tm_hour = number(s, 11, 2);
    tm.tm_min = number(s, 14, 2);
    tm.tm_sec = number(s, 17, 2);
    if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return std::nullopt;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long long scale = 100000;
      const std::size_t start = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        micros += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == start) return std::nullopt;
    }
    if (i == s.size()) return std::nullopt;  // a time needs its zone
    if (s[i] == 'Z' || s[i] == 'z') {
      if (i + 1 != s.size()) return std::nullopt;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && all_digits(s, i + 1, 2) && s[i + 3] == ':' &&
               all_digits(s, i + 4, 2)) {
      offset_s = (number(s, i + 1, 2) * 3600LL + number(s, i + 4, 2) * 60LL) * (s[i] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  const std::time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t) - std::chrono::seconds(offset_s) + std::chrono::microseconds(micros);
}

}  // namespace

bool RecordFilter::matches(const Record& record) const {
  if (!since.empty() && record.ts < since) return false;
  if (!until.empty() && record.ts >= until) return false;
  if (!instances.empty() && std::find(instances.begin(), instances.end(), record.instance) == instances.end()) {
    return false;
  }
  return true;
}

std::optional<std::string> parse_time_bound(const std::string& text, std::chrono::system_clock::time_point now,
                                            std::string& error) {
  auto t = parse_duration_ago(text, now);
  if (!t) t = parse_rfc3339(text);
  if (!t) {
    error = "'" + text + "' is not a time: use RFC 3339 (2026-11-25T18:00:00Z), a date (2026-11-25) or a duration "
            "before now (90s, 15m, 2h, 7d)";
    return std::nullopt;
  }
  // Records carry milliseconds: round a finer bound up so `ts >= since` means the same on both stores.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t->time_since_epoch());
  return format_rfc3339_ms(std::chrono::system_clock::time_point(ms));
}

}  // namespace parity::store
