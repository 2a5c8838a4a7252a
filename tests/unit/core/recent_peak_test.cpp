#include "core/recent_peak.h"

#include <catch2/catch.hpp>

namespace parity {

using std::chrono::milliseconds;

TEST_CASE("the recent peak remembers the highest value for one to two windows", "[recent_peak]") {
  const RecentPeak::TimePoint t0{std::chrono::seconds(100)};
  RecentPeak peak(std::chrono::seconds(1));
  CHECK(peak.value(t0) == 0);
  peak.note(5, t0);
  peak.note(200, t0 + milliseconds(100));
  peak.note(20, t0 + milliseconds(300));
  CHECK(peak.value(t0 + milliseconds(400)) == 200);
  // Into the next window: the last one's peak still counts.
  peak.note(10, t0 + milliseconds(1200));
  CHECK(peak.value(t0 + milliseconds(1900)) == 200);
  // Two windows on, only what was noted since.
  peak.note(30, t0 + milliseconds(2300));
  CHECK(peak.value(t0 + milliseconds(2400)) == 30);
  // Idle for longer than two windows: nothing is remembered.
  CHECK(peak.value(t0 + milliseconds(6000)) == 0);
}

TEST_CASE("a quiet window between two notes forgets the older peak", "[recent_peak]") {
  const RecentPeak::TimePoint t0{std::chrono::seconds(100)};
  RecentPeak peak(std::chrono::seconds(1));
  peak.note(50, t0);
  peak.note(3, t0 + milliseconds(2500));  // the window of t0 ended 1.5 s ago
  CHECK(peak.value(t0 + milliseconds(2600)) == 3);
}

}  // namespace parity
