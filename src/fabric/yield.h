#pragma once
// Yield of a wafer (or a die) whose rows carry spare tiles, under the repair scheme of fabric/mesh.h: in each
// physical row the logical cores take the healthy tiles in order and the spare columns at the east end take up
// the shift, so a row is repairable while it has no more dead tiles than spares, and a region is usable when every
// row is. Defects land as a Poisson process of `density` per mm^2 over the silicon; a tile of area a is dead with
// probability p = 1 - exp(-density a) (at least one defect on it), independently of the others. Then
//   defects expected on area A:           D A
//   conventional die yield (no spares):   Poisson exp(-D A); Murphy ((1 - exp(-D A)) / (D A))^2
//   one row of n = cols + spares tiles:   P(Binomial(n, p) <= spares)
//   a region of R rows:                   P(row)^R   (rows independent)
// and a Monte-Carlo estimate of the same with DefectMap::random over seeds. Facts (areas, cores, dies, the
// published density) come from the catalog; nothing here holds a hardware constant.
#include <cstdint>

#include "fabric/mesh.h"

namespace ws::fabric {

double expected_defects(double density_per_mm2, double area_mm2);  // D A
double poisson_yield(double density_per_mm2, double area_mm2);     // exp(-D A)
double murphy_yield(double density_per_mm2, double area_mm2);      // ((1 - exp(-D A)) / (D A))^2; 1 at D A = 0
// Probability a tile of `tile_area_mm2` holds at least one defect: 1 - exp(-D a).
double tile_dead_probability(double density_per_mm2, double tile_area_mm2);
// The silicon under one physical tile: the chip's area over its physical cores (the exposed fabric when the
// catalog publishes no physical count).
double tile_area_mm2(const WaferFabric& fabric, double chip_area_mm2);

// P(Binomial(n, p) > k), summed from the tail (accurate where it is far below 1 - P(<= k) could show).
double binomial_tail(int n, double p, int k);

// A block of `rows` rows, each of `cols` logical cores plus `spares` spare tiles.
struct RepairBlock {
  int rows = 0;
  int cols = 0;
  int spares = 0;
  double physical_tiles() const { return static_cast<double>(rows) * (cols + spares); }
  double logical_cores() const { return static_cast<double>(rows) * cols; }
  double spare_tiles() const { return static_cast<double>(rows) * spares; }
};
// The block under `region` on a chip: its spare columns from spare_columns().
RepairBlock repair_block(const WaferFabric& fabric, Region region);
// One die of a chip whose catalog gives dies_per_wafer and die_grid_columns: the fabric split evenly into the
// die grid (die_grid_columns across the width), rounded to whole cores. Region{0, 0} when not published.
Region die_region(const WaferFabric& fabric);

struct RepairYield {
  double yield = 1;         // P(every row repairable)
  double unrepairable = 0;  // 1 - yield, computed without cancellation
  double expected_dead = 0;
  // Given a repair: the logical cores are enabled; the spares not used stay dark:
  // enabled = physical - dead - unused spares = rows x cols.
  double expected_unused_spares = 0;
};
RepairYield repair_yield(const RepairBlock& block, double tile_dead_probability);

// `trials` defect maps DefectMap::random(rows, cols + spares, p, first_seed + t); a map is repaired when no row
// has more dead tiles than spares (as Mesh's constructor checks).
struct MonteCarloYield {
  int trials = 0;
  int repaired = 0;
  double yield = 0;           // repaired / trials
  double standard_error = 0;  // sqrt(y (1 - y) / trials)
  double mean_dead = 0;       // dead tiles per map
  int most_dead_in_a_row = 0; // over every map
};
MonteCarloYield monte_carlo_yield(const RepairBlock& block, double tile_dead_probability, std::uint64_t first_seed, int trials);

// The density (per mm^2) at which `yield_at(density)` falls to `target`, by bisection on [0, upper]; `yield_at`
// must fall with density. Returns upper when the yield is still above target there.
template <class F>
double density_at_yield(F yield_at, double target, double upper) {
  if (yield_at(upper) >= target) return upper;
  double low = 0, high = upper;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = (low + high) / 2;
    (yield_at(mid) >= target ? low : high) = mid;
  }
  return (low + high) / 2;
}

}  // namespace ws::fabric
