#include "report/format.h"

#include <catch2/catch.hpp>

namespace parity::report {

TEST_CASE("counts get thousands separators", "[format]") {
  CHECK(format_count(0) == "0");
  CHECK(format_count(10) == "10");
  CHECK(format_count(999) == "999");
  CHECK(format_count(12345) == "12,345");
  CHECK(format_count(1000) == "1,000");
  CHECK(format_count(1234567) == "1,234,567");
}

TEST_CASE("percentages never round to a misleading 0% or 100%", "[format]") {
  CHECK(format_percent(0) == "0%");
  CHECK(format_percent(1) == "100%");
  CHECK(format_percent(0.975) == "97.5%");
  CHECK(format_percent(0.0001) == "<0.1%");
  CHECK(format_percent(0.99995) == ">99.9%");
}

TEST_CASE("milliseconds with magnitude-dependent precision", "[format]") {
  CHECK(format_ms(0.042) == "0.042");
  CHECK(format_ms(3.14159) == "3.14");
  CHECK(format_ms(12.345) == "12.3");
  CHECK(format_ms(1234.5) == "1234");  // %.0f rounds half to even
  LatencyHistogram h;
  CHECK(format_percentile_ms(h, 50) == "–");
  h.record(2500);
  CHECK(format_percentile_ms(h, 50) == "2.50");
}

}  // namespace parity::report
