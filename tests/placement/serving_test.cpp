// Feasibility diagram and KV offload (placement-level serving questions). Disaggregation: tests/perf,
// tests/econ and tests/report.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "placement/feasibility.h"
#include "placement/kv_offload.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(Feasibility, FamilyKvTracksTheLlama3Line) {
  EXPECT_NEAR(family_kv_bytes_per_token(70.6e9, 2), 327680, 0.15 * 327680);
  EXPECT_NEAR(family_kv_bytes_per_token(405.9e9, 2), 516096, 0.05 * 516096);
}

TEST(Feasibility, GridGrowsWithSizeAndLengthAndHasTheContours) {
  const auto grid = feasibility_grid(test::catalog().hardware("cs-3"), 1, 1.0, 2.0, 21);
  bool below32 = false, between = false, above128 = false;
  for (std::size_t i = 0; i < grid.params.size(); ++i)
    for (std::size_t j = 0; j < grid.input_tokens.size(); ++j) {
      if (i > 0) {
        EXPECT_GE(grid.systems[i][j], grid.systems[i - 1][j]);
      }
      if (j > 0) {
        EXPECT_GE(grid.systems[i][j], grid.systems[i][j - 1]);
      }
      below32 |= grid.systems[i][j] < 32;
      between |= grid.systems[i][j] >= 64 && grid.systems[i][j] < 128;
      above128 |= grid.systems[i][j] > 128;
    }
  EXPECT_TRUE(below32 && between && above128);
  // 4T parameters at fp8 alone need ceil(4000/44) = 91 wafers.
  EXPECT_EQ(grid.systems.back().front(), std::ceil((4e12 + 16e3 * family_kv_bytes_per_token(4e12, 2)) / 44e9));
}

TEST(KvOffload, SixTerabytesOfSessions) {
  const auto& c = test::catalog();
  const ModelSpec m = c.model("gpt-oss-120b");
  const KvOffload o = kv_offload(m, c.hardware("cs-3"), 2, 65e9, 3.5e9, 96300);
  EXPECT_EQ(o.host_sessions, std::floor(2 * 6000e9 / 3.5e9));
  EXPECT_EQ(o.device_sessions, std::floor((88e9 - 65e9) / 3.5e9));
  EXPECT_NEAR(o.reload_seconds, 3.5e9 / (2 * 150e9), 1e-12);
  EXPECT_THROW(kv_offload(m, c.hardware("dgx-b300"), 1, 65e9, 3.5e9, 96300), InputError);
}

}  // namespace
}  // namespace ws
