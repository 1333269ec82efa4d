#include "analysis/roofline.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/csv.h"
#include "test_support.h"

namespace ws {
namespace {

const Precision& precision(const std::string& name) { return test::catalog().precisions.get(name, "test"); }

TEST(Roofline, ArithmeticIntensityFormula) {
  const GemmShape square{"square 1k", 1024, 1024, 1024};
  EXPECT_DOUBLE_EQ(gemm_flops(square), 2.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(gemm_bytes(square, 1.0), 3.0 * 1024 * 1024);
  EXPECT_NEAR(arithmetic_intensity(square, 1.0), 682.67, 0.01);
  EXPECT_NEAR(arithmetic_intensity(square, 2.0), 341.33, 0.01);  // bf16 halves it
}

// Golden: the printed FP8 arithmetic-intensity column of the source's GEMM table.
TEST(Roofline, ReproducesThePublishedIntensityColumn) {
  const std::string file = test::catalog_path("published/gemm_shapes.csv");
  const CsvTable table = read_csv(file);
  ASSERT_EQ(table.rows.size(), 8u);
  for (const auto& row : table.rows) {
    const GemmShape shape{row.at("name", file), csv_number(row, "M", file), csv_number(row, "N", file),
                          csv_number(row, "K", file)};
    EXPECT_NEAR(arithmetic_intensity(shape, 1.0), csv_number(row, "fp8_ai", file), 0.5) << shape.name;
  }
}

TEST(Roofline, RidgePointsOfTheSource) {
  const auto& c = test::catalog();
  EXPECT_NEAR(*ridge_point(c.chip("h100"), precision("fp8")), 591, 0.5);
  EXPECT_NEAR(*ridge_point(c.chip("h200"), precision("fp8")), 412, 0.5);
  EXPECT_NEAR(*ridge_point(c.chip("b200"), precision("fp4")), 1125, 0.5);
  EXPECT_NEAR(*ridge_point(c.chip("wse-3"), precision("fp8")), 0.744, 0.001);
  EXPECT_NEAR(*ridge_point(c.chip("groq-lp30"), precision("fp8")), 8, 1e-9);
  EXPECT_FALSE(ridge_point(c.chip("lpu1"), precision("bf16")).has_value());  // no FP16 path published
}

// Tight bound test: a shape just below the ridge is memory-bound, just above it compute-bound.
TEST(Roofline, BoundFlipsAtTheRidge) {
  const Chip& h100 = test::catalog().chip("h100");
  const double ridge = *ridge_point(h100, precision("fp8"));
  // For M x N x K with K = N large and M small, AI ~ 2M/(1 + 2M/N); solve numerically around the ridge.
  auto shape_with_ai = [](double target) {
    GemmShape best{"probe", 1, 65536, 65536};
    for (double m = 1; m < 8192; m += 1) {
      GemmShape s{"probe", m, 65536, 65536};
      if (arithmetic_intensity(s, 1.0) >= target) return s;
      best = s;
    }
    return best;
  };
  const GemmShape above = shape_with_ai(ridge);
  const GemmShape below{"probe", above.m - 1, above.n, above.k};
  ASSERT_LT(arithmetic_intensity(below, 1.0), ridge);
  ASSERT_GE(arithmetic_intensity(above, 1.0), ridge);
  EXPECT_EQ(analyze_gemm(below, h100, precision("fp8")).bound, Bound::memory_bandwidth);
  EXPECT_EQ(analyze_gemm(above, h100, precision("fp8")).bound, Bound::compute);
  const auto a = analyze_gemm(below, h100, precision("fp8"));
  EXPECT_NEAR(a.attainable_flops_per_s, a.arithmetic_intensity * 3.35e12, 1.0);
  EXPECT_NEAR(a.time_s, a.bytes / 3.35e12, 1e-12);
}

TEST(Roofline, WaferIsComputeBoundEvenAtBatchOne) {
  const auto a = analyze_gemm(GemmShape{"decode batch=1", 1, 8192, 8192}, test::catalog().chip("wse-3"), precision("fp8"));
  EXPECT_EQ(a.bound, Bound::compute);  // AI ~2 > ridge 0.74: the source's "all memory-bound" list is wrong here
}

}  // namespace
}  // namespace ws
