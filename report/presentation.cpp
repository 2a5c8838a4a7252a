#include "report/presentation.h"

#include <algorithm>
#include <tuple>

namespace parity::report {

void sort_worst_first(std::vector<RouteStats>& routes) {
  std::stable_sort(routes.begin(), routes.end(), [](const RouteStats& a, const RouteStats& b) {
    const double bad_a = a.counts.mismatch_rate() + a.counts.error_rate();
    const double bad_b = b.counts.mismatch_rate() + b.counts.error_rate();
    if (bad_a != bad_b) return bad_a > bad_b;
    if (a.counts.exchanges != b.counts.exchanges) return a.counts.exchanges > b.counts.exchanges;
    return std::tie(a.route, a.method) < std::tie(b.route, b.method);
  });
}

std::string route_label(const RouteStats& route) {
  return route.method.empty() ? route.route : route.method + " " + route.route;
}

std::string display_pointer(const std::string& pointer) { return pointer.empty() ? "(whole body)" : pointer; }

bool is_real_difference(const FieldStats& field) {
  return field.count > field.noise_count + field.expected_count;
}

}  // namespace parity::report
