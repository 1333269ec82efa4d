#include "fabric/yield.h"

#include <algorithm>
#include <cmath>

namespace ws::fabric {

double expected_defects(double density_per_mm2, double area_mm2) { return density_per_mm2 * area_mm2; }

double poisson_yield(double density_per_mm2, double area_mm2) { return std::exp(-density_per_mm2 * area_mm2); }

double murphy_yield(double density_per_mm2, double area_mm2) {
  const double da = density_per_mm2 * area_mm2;
  if (da <= 0) return 1.0;
  const double f = -std::expm1(-da) / da;
  return f * f;
}

double tile_dead_probability(double density_per_mm2, double tile_area_mm2) {
  return -std::expm1(-density_per_mm2 * tile_area_mm2);
}

double tile_area_mm2(const WaferFabric& fabric, double chip_area_mm2) {
  const double tiles = fabric.cores_physical > 0 ? fabric.cores_physical : fabric.fabric_width_cores * fabric.fabric_height_cores;
  return chip_area_mm2 / tiles;
}

double binomial_tail(int n, double p, int k) {
  if (k < 0) return 1.0;
  if (k >= n || p <= 0) return 0.0;
  if (p >= 1) return 1.0;
  // log pmf(j) = lgamma(n+1) - lgamma(j+1) - lgamma(n-j+1) + j log p + (n-j) log(1-p); summed from j = k+1 up
  // until the terms no longer matter (they fall geometrically past the mode).
  const double lp = std::log(p), lq = std::log1p(-p), ln = std::lgamma(n + 1.0);
  auto log_pmf = [&](int j) { return ln - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) + j * lp + (n - j) * lq; };
  // Sum relative to the largest term of the tail (the mode when it lies inside the tail, else j = k + 1).
  const int mode = std::clamp(static_cast<int>(std::floor((n + 1) * p)), k + 1, n);
  const double top = log_pmf(mode);
  double sum = 0;
  for (int j = mode; j <= n; ++j) {
    const double term = std::exp(log_pmf(j) - top);
    sum += term;
    if (term < 1e-18 * sum && j > mode) break;
  }
  for (int j = mode - 1; j > k; --j) {
    const double term = std::exp(log_pmf(j) - top);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return std::min(1.0, std::exp(top + std::log(sum)));
}

RepairBlock repair_block(const WaferFabric& fabric, Region region) {
  return RepairBlock{region.rows, region.cols, spare_columns(fabric, region.cols)};
}

Region die_region(const WaferFabric& fabric) {
  if (fabric.dies_per_wafer <= 0 || fabric.die_grid_columns <= 0) return Region{0, 0};
  const int die_rows = fabric.dies_per_wafer / fabric.die_grid_columns;
  return Region{std::max(1, static_cast<int>(std::lround(fabric.fabric_height_cores / die_rows))),
                std::max(1, static_cast<int>(std::lround(fabric.fabric_width_cores / fabric.die_grid_columns)))};
}

RepairYield repair_yield(const RepairBlock& block, double p) {
  RepairYield y;
  const double row_fail = binomial_tail(block.cols + block.spares, p, block.spares);
  // yield = (1 - row_fail)^rows, in logs so a tiny row_fail is not lost.
  const double log_yield = block.rows * std::log1p(-std::min(row_fail, 1.0));
  y.yield = std::exp(log_yield);
  y.unrepairable = -std::expm1(log_yield);
  y.expected_dead = block.physical_tiles() * p;
  y.expected_unused_spares = std::max(0.0, block.spare_tiles() - y.expected_dead);
  return y;
}

MonteCarloYield monte_carlo_yield(const RepairBlock& block, double p, std::uint64_t first_seed, int trials) {
  MonteCarloYield m;
  m.trials = std::max(0, trials);
  double dead = 0;
  for (int t = 0; t < m.trials; ++t) {
    const DefectMap map = DefectMap::random(block.rows, block.cols + block.spares, p, first_seed + static_cast<std::uint64_t>(t),
                                            "defect_density");
    dead += static_cast<double>(map.count());
    bool ok = true;
    for (int r = 0; r < block.rows; ++r) {
      m.most_dead_in_a_row = std::max(m.most_dead_in_a_row, map.dead_in_row(r));
      if (map.dead_in_row(r) > block.spares) ok = false;
    }
    m.repaired += ok ? 1 : 0;
  }
  if (m.trials > 0) {
    m.yield = static_cast<double>(m.repaired) / m.trials;
    m.standard_error = std::sqrt(m.yield * (1 - m.yield) / m.trials);
    m.mean_dead = dead / m.trials;
  }
  return m;
}

}  // namespace ws::fabric
