#include "report/render_md.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "report_test_support.h"

namespace parity::report {

using namespace testing;

namespace {

// Every table row of the document has the same number of unescaped cell separators as its header.
void check_tables_are_rectangular(const std::string& md) {
  std::istringstream in(md);
  std::string line;
  int columns = -1;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      columns = -1;
      continue;
    }
    int pipes = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
    }
    INFO(line);
    if (columns < 0) columns = pipes;
    CHECK(pipes == columns);
  }
}

}  // namespace

TEST_CASE("the Markdown report has summary, route and field tables", "[render_md]") {
  Aggregate a;
  for (int i = 0; i < 8; ++i) a.add(make_record({.verdict = Verdict::match, .legacy_ms = 20, .candidate_ms = 10}));
  auto bad = make_record({.route = "/v1/users/{id}", .verdict = Verdict::mismatch});
  bad.differences.push_back(diff("/email", DiffKind::value, Explained::none, "a@x", "A@x"));
  bad.differences.push_back(diff("/updated_at", DiffKind::value, Explained::noise, 1, 2));
  a.add(bad);
  auto expected = make_record({.route = "/v1/users/{id}", .verdict = Verdict::expected});
  expected.differences.push_back(diff("/detail", DiffKind::missing, Explained::error_format, "nope", nullptr));
  a.add(expected);

  const auto md = render_md(a, RenderOptions{.source = "parity-data/records.jsonl", .malformed = 1});
  INFO(md);
  CHECK(md.find("## Parity report") == 0);
  CHECK(md.find("**10 exchanges** on 2 routes") != std::string::npos);
  CHECK(md.find("| **All routes** | 10 | 8 | 1 | 1 | 0 | 90.0% |") != std::string::npos);
  CHECK(md.find("Skipped 1 malformed line.") != std::string::npos);
  // Routes worst first, latencies side by side.
  const auto users = md.find("| `GET /v1/users/{id}` | 2 | 0 | 1 | 1 | 0 | 50.0% |");
  const auto items = md.find("| `GET /v1/items` | 8 | 8 | 0 | 0 | 0 | 100% | 20.0 / 20.0 / 20.0 | 10.0 / 10.0 / 10.0 |");
  CHECK(users != std::string::npos);
  CHECK(items != std::string::npos);
  CHECK(users < items);
  // Fields with their class.
  CHECK(md.find("| `/email` | value | 1 | 50.0% | **difference** | `\"a@x\"` → `\"A@x\"` |") != std::string::npos);
  CHECK(md.find("| `/updated_at` | value | 1 | 50.0% | noise |") != std::string::npos);
  CHECK(md.find("| `/detail` | missing | 1 | 50.0% | expected (error format) | `\"nope\"` → `(absent)` |") !=
        std::string::npos);
  check_tables_are_rectangular(md);
}

TEST_CASE("a field of array elements shows where its example was", "[render_md]") {
  Aggregate a;
  auto r = make_record({.route = "/v1/chat", .verdict = Verdict::mismatch});
  for (int i = 0; i < 3; ++i) {
    r.differences.push_back(diff("/events/" + std::to_string(i + 2) + "/content", DiffKind::value, Explained::none, "a", "b"));
  }
  a.add(r);
  const auto md = render_md(a);
  INFO(md);
  CHECK(md.find("| `/events/*/content` | value | 1 | 100% | **difference** | `/events/2/content`: `\"a\"` → `\"b\"` |") !=
        std::string::npos);
  check_tables_are_rectangular(md);
}

TEST_CASE("user-derived text cannot break a Markdown table", "[render_md]") {
  Aggregate a;
  auto r = make_record({.route = "/a|b", .verdict = Verdict::mismatch});
  r.differences.push_back(diff("/x|y`z\nw", DiffKind::value, Explained::none, "p|q", "r"));
  a.add(r);
  const auto md = render_md(a);
  INFO(md);
  CHECK(md.find("`GET /a\\|b`") != std::string::npos);
  check_tables_are_rectangular(md);
}

TEST_CASE("top_fields limits the fields listed per route", "[render_md]") {
  Aggregate a;
  auto r = make_record({.verdict = Verdict::mismatch});
  for (int i = 0; i < 5; ++i) r.differences.push_back(diff("/f" + std::to_string(i)));
  a.add(r);
  const auto md = render_md(a, RenderOptions{.top_fields = 2});
  CHECK(md.find("`/f1`") != std::string::npos);
  CHECK(md.find("`/f2`") == std::string::npos);
  CHECK(md.find("…and 3 more fields") != std::string::npos);
}

TEST_CASE("an empty store renders a short note", "[render_md]") {
  const auto md = render_md(Aggregate());
  CHECK(md.find("**0 exchanges** on 0 routes") != std::string::npos);
  CHECK(md.find("_No exchanges recorded yet._") != std::string::npos);
}

}  // namespace parity::report
