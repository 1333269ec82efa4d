// The yield model (src/fabric/yield.h): closed forms against hand-computed values, the Monte-Carlo estimate against
// the closed form, and the properties the model must keep (zero density, more spares, seeds, route-around >= 1).
#include "fabric/yield.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fabric/kernels.h"
#include "test_support.h"

namespace ws::fabric {
namespace {

const WaferFabric& wse3() { return *test::catalog().chip("wse-3", "chip").fabric; }

TEST(Yield, ConventionalDieYieldMatchesHandValues) {
  // An H100-sized die (814 mm^2) at 0.001 defects per mm^2: D A = 0.814.
  // Poisson: exp(-0.814) = 0.443082; Murphy: ((1 - exp(-0.814)) / 0.814)^2 = (0.556918 / 0.814)^2 = 0.468094.
  EXPECT_NEAR(expected_defects(0.001, 814), 0.814, 1e-12);
  EXPECT_NEAR(poisson_yield(0.001, 814), 0.443082, 1e-6);
  EXPECT_NEAR(murphy_yield(0.001, 814), 0.468094, 1e-6);
  EXPECT_EQ(murphy_yield(0, 814), 1.0);
  // The whole WSE-3 (46,225 mm^2) without spares: exp(-46.225) = 8.41e-21.
  EXPECT_NEAR(poisson_yield(0.001, 46225) / 8.40887e-21, 1.0, 1e-5);
}

TEST(Yield, TileProbabilityFromAreaAndDensity) {
  // WSE-3: 46,225 mm^2 over 970,000 physical cores = 0.0476546 mm^2 a tile; at 0.001 per mm^2 a tile is dead with
  // probability 1 - exp(-4.76546e-5) = 4.76535e-5.
  const double a = tile_area_mm2(wse3(), 46225);
  EXPECT_NEAR(a, 0.0476546, 1e-7);
  EXPECT_NEAR(tile_dead_probability(0.001, a), 4.76535e-5, 1e-10);
  EXPECT_EQ(tile_dead_probability(0, a), 0.0);
}

TEST(Yield, BinomialTailMatchesHandValues) {
  EXPECT_NEAR(binomial_tail(3, 0.5, 1), 0.5, 1e-12);             // (3 + 1) / 8
  EXPECT_NEAR(binomial_tail(4, 0.1, 0), 1 - std::pow(0.9, 4), 1e-12);  // 0.3439
  // 1 - (0.107374 + 0.268435 + 0.301990 + 0.201327) = 0.120874
  EXPECT_NEAR(binomial_tail(10, 0.2, 3), 0.1208739, 1e-7);
  EXPECT_EQ(binomial_tail(10, 0.2, 10), 0.0);
  EXPECT_EQ(binomial_tail(10, 0.0, 0), 0.0);
  // Far tails keep their value rather than rounding to 0 through 1 - P(<= k): a WSE-3 row (828 tiles, 66 spares)
  // at the published density fails with 1.48207e-190 (the sum over j > 66, in 50-digit decimals, Python).
  EXPECT_NEAR(binomial_tail(828, 4.76535e-5, 66) / 1.4820694e-190, 1.0, 1e-6);
}

TEST(Yield, RowRepairClosedFormMatchesHandValue) {
  // 2 rows of 3 cores + 1 spare at p = 0.1: a row fails with P(Bin(4, 0.1) > 1) = 1 - 0.6561 - 0.2916 = 0.0523,
  // the block survives with 0.9477^2 = 0.89813529.
  const RepairYield r = repair_yield(RepairBlock{2, 3, 1}, 0.1);
  EXPECT_NEAR(r.yield, 0.89813529, 1e-10);
  EXPECT_NEAR(r.unrepairable, 1 - 0.89813529, 1e-10);
  EXPECT_NEAR(r.expected_dead, 0.8, 1e-12);
  EXPECT_NEAR(r.expected_unused_spares, 2 - 0.8, 1e-12);
}

TEST(Yield, ZeroDensityYieldsOneAndEnablesEveryLogicalCore) {
  const RepairBlock b = repair_block(wse3(), Region{1172, 762});
  EXPECT_EQ(b.spares, 66);  // ceil(762 x (970000 / 893064 - 1))
  const RepairYield r = repair_yield(b, 0);
  EXPECT_EQ(r.yield, 1.0);
  EXPECT_EQ(r.unrepairable, 0.0);
  EXPECT_EQ(r.expected_dead, 0.0);
  // enabled = physical - dead - unused spares = physical - spares = the logical cores.
  EXPECT_EQ(b.physical_tiles() - r.expected_dead - r.expected_unused_spares, b.logical_cores());
  EXPECT_EQ(b.logical_cores(), 762.0 * 1172);
  const MonteCarloYield m = monte_carlo_yield(RepairBlock{64, 64, 6}, 0, 1, 5);
  EXPECT_EQ(m.yield, 1.0);
  EXPECT_EQ(m.mean_dead, 0.0);
}

TEST(Yield, MoreSparesNeverLowerYield) {
  for (double p : {0.001, 0.02, 0.1, 0.3}) {
    double previous = 0;
    for (int spares = 0; spares <= 12; ++spares) {
      const double y = repair_yield(RepairBlock{50, 40, spares}, p).yield;
      EXPECT_GE(y, previous) << "p " << p << " spares " << spares;
      previous = y;
    }
  }
}

TEST(Yield, MonteCarloAgreesWithTheClosedForm) {
  // 20 rows of 30 cores + 2 spares: at p = 0.02 the closed form gives 0.5933, at 0.03 0.2329 (computed by summing the
  // binomial by hand in Python). 2000 maps (seeds 1..2000): the standard error is <= sqrt(0.25 / 2000) = 0.0112, and
  // the estimate must fall within 4 of them (a 6e-5 chance of a false failure, fixed once the seeds are).
  for (double p : {0.02, 0.03}) {
    const RepairBlock b{20, 30, 2};
    const double closed = repair_yield(b, p).yield;
    const MonteCarloYield m = monte_carlo_yield(b, p, 1, 2000);
    EXPECT_EQ(m.trials, 2000);
    EXPECT_NEAR(m.yield, closed, 4 * std::sqrt(closed * (1 - closed) / 2000)) << p;
    EXPECT_NEAR(m.mean_dead, b.physical_tiles() * p, 4 * std::sqrt(b.physical_tiles() * p / 2000)) << p;
  }
  EXPECT_NEAR(repair_yield(RepairBlock{20, 30, 2}, 0.02).yield, 0.5933002, 1e-6);
  EXPECT_NEAR(repair_yield(RepairBlock{20, 30, 2}, 0.03).yield, 0.2329070, 1e-6);
}

TEST(Yield, SameSeedSameAnswer) {
  const RepairBlock b{40, 40, 3};
  const MonteCarloYield a = monte_carlo_yield(b, 0.03, 7, 50), c = monte_carlo_yield(b, 0.03, 7, 50);
  EXPECT_EQ(a.repaired, c.repaired);
  EXPECT_EQ(a.mean_dead, c.mean_dead);
  EXPECT_EQ(a.most_dead_in_a_row, c.most_dead_in_a_row);
}

TEST(Yield, PublishedDensityOnWse3) {
  // 0.001 per mm^2: ~46 dead tiles a wafer against 66 spares in every one of 1172 rows: no row comes near failing.
  const WaferFabric& f = wse3();
  const double p = tile_dead_probability(0.001, tile_area_mm2(f, 46225));
  const RepairBlock wafer = repair_block(f, Region{1172, 762});
  const RepairYield r = repair_yield(wafer, p);
  EXPECT_EQ(r.yield, 1.0);
  EXPECT_GT(r.unrepairable, 0.0);
  EXPECT_LT(r.unrepairable, 1e-100);
  EXPECT_NEAR(r.expected_dead, 46.24, 0.01);  // 970,416 modelled tiles x 4.76535e-5
  // One die: 12 x 7 dies over 762 x 1172 cores, 12 across: 167 x 64 cores (round(167.4), round(63.5)), 6 spares a row.
  const Region die = die_region(f);
  EXPECT_EQ(die.rows, 167);
  EXPECT_EQ(die.cols, 64);
  EXPECT_EQ(repair_block(f, die).spares, 6);
  const MonteCarloYield m = monte_carlo_yield(wafer, p, 1, 3);
  EXPECT_EQ(m.yield, 1.0);
  EXPECT_GT(m.mean_dead, 20);
  EXPECT_LT(m.mean_dead, 80);
}

TEST(Yield, DensityAtHalfYieldInvertsTheClosedForm) {
  // Poisson exp(-D A) = 1/2 at D = ln 2 / A; for 814 mm^2 that is 8.5153e-4 per mm^2.
  const double d = density_at_yield([](double x) { return poisson_yield(x, 814); }, 0.5, 100);
  EXPECT_NEAR(d, std::log(2.0) / 814, 1e-12);
  EXPECT_NEAR(d, 8.5153e-4, 1e-8);
}

TEST(Yield, RouteAroundNeverFaster) {
  const WaferFabric& f = wse3();
  const Region region{24, 40};
  const int physical = region.cols + spare_columns(f, region.cols);
  const Mesh clean(f, region);
  const double base = broadcast_kernel(clean, 2048).simulated_cycles;
  int penalised = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const Mesh dirty(f, region, DefectMap::random(region.rows, physical, 0.02, seed, "defect_density"));
    const double cycles = broadcast_kernel(dirty, 2048).simulated_cycles;
    EXPECT_GE(cycles, base) << seed;
    penalised += cycles > base ? 1 : 0;
  }
  EXPECT_GT(penalised, 0);  // some map makes a difference, or the check says nothing
}

}  // namespace
}  // namespace ws::fabric
