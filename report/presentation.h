#pragma once
// How the human-facing reports (Markdown, HTML) order and name routes and fields.
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace parity::report {

// Sorts by share of mismatching or failed exchanges (highest first), then by exchanges, route, method.
void sort_worst_first(std::vector<RouteStats>& routes);

// "GET /v1/files/{file_id}"
std::string route_label(const RouteStats& route);

// A pointer as shown to people: the empty JSON Pointer (the whole body) reads "(whole body)".
std::string display_pointer(const std::string& pointer);

// Differences that count against parity (not all noise, not all explained by an error format).
bool is_real_difference(const FieldStats& field);

}  // namespace parity::report
