#include "analysis/roofline.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// Golden (issue 13 part 5): at 2 FLOP/byte in FP8 the WSE-3 is past its ridge (0.74) at its full dense 15,625 TFLOPS;
// an H100 is at 2 x 3.35 TB/s = 6.7 TFLOPS. Just below and above a ridge the bound switches.
TEST(Roofline, AttainableAtTwoFlopsPerByte) {
  const Catalog& c = test::catalog();
  const Roofline wse3 = *hardware_roofline(c.hardware("wse-3"), precision("fp8"));
  const Roofline h100 = *hardware_roofline(c.hardware("h100"), precision("fp8"));
  EXPECT_DOUBLE_EQ(wse3.attainable_flops_per_s(2), 15625e12);
  EXPECT_DOUBLE_EQ(h100.attainable_flops_per_s(2), 6.7e12);
  EXPECT_NEAR(wse3.ridge_point(), 0.74, 0.005);
  EXPECT_LT(wse3.attainable_flops_per_s(wse3.ridge_point() * 0.999), 15625e12);
  EXPECT_DOUBLE_EQ(wse3.attainable_flops_per_s(wse3.ridge_point() * 1.001), 15625e12);
  EXPECT_FALSE(hardware_roofline(c.hardware("h100"), precision("fp4")));  // no FP4 figure for an H100
}

TEST(Roofline, IntensityGridHoldsTheDecadesAndTheExactPoints) {
  const auto points = roofline_intensities(0.1, 1e4, {0.744, 241.0});
  EXPECT_EQ(points.front(), 0.1);
  EXPECT_EQ(points.back(), 1e4);
  for (double x : {0.2, 2.0, 5.0, 1000.0, 0.744, 241.0})
    EXPECT_NE(std::find(points.begin(), points.end(), x), points.end()) << x;
  EXPECT_TRUE(std::is_sorted(points.begin(), points.end()));
}

// What 1M USD buys at the catalog's rough prices (the source's: ~2 HGX, ~4 NVL72 sleds' worth of GPUs, ~50 LP30s,
// one wafer). Whole units: an HGX B300 at 400k USD is 2.5 -> 2; an NVL72 at 3.96M USD is 18.2 GPUs, 4 whole compute
// trays of 4 GPUs (NVIDIA GB300 NVL72: 18 trays x 4 GPUs); LP30 at 20k USD is 50; a CS-3 at 1M USD is 1.
TEST(Roofline, WhatAMillionDollarsBuys) {
  const Catalog& c = test::catalog();
  auto units = [&](const std::string& name) { return hardware_roofline(c.hardware(name), precision("fp8"), 1e6 / *c.hardware(name).price_usd())->units; };
  auto chips = [&](const std::string& name) { return hardware_roofline(c.hardware(name), precision("fp8"), 1e6 / *c.hardware(name).price_usd())->chips; };
  EXPECT_EQ(std::floor(units("dgx-b300")), 2);
  EXPECT_EQ(std::floor(chips("gb300-nvl72") / 4), 4);
  EXPECT_NEAR(units("groq-lp30"), 50, 1e-9);
  EXPECT_NEAR(units("cs-3"), 1, 1e-12);
  // Scaling keeps the ridge: peak and bandwidth both scale by the units.
  const Roofline nvl = *hardware_roofline(c.hardware("gb300-nvl72"), precision("fp8"), 0.25);
  EXPECT_DOUBLE_EQ(nvl.ridge_point(), 5000e12 / 8e12);
  EXPECT_DOUBLE_EQ(nvl.peak_flops_per_s, 0.25 * 72 * 5000e12);
}

}  // namespace
}  // namespace ws
