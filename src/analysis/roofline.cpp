#include "analysis/roofline.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ws {

double gemm_flops(const GemmShape& s) { return 2.0 * s.m * s.n * s.k; }

double gemm_bytes(const GemmShape& s, double bytes_per_element) {
  return (s.m * s.k + s.k * s.n + s.m * s.n) * bytes_per_element;
}

double arithmetic_intensity(const GemmShape& s, double bytes_per_element) {
  return gemm_flops(s) / gemm_bytes(s, bytes_per_element);
}

std::optional<double> ridge_point(const Chip& chip, const Precision& precision) {
  auto peak = chip.flops_per_s(precision.compute_class);
  if (!peak) return std::nullopt;
  return *peak / chip.main_memory.bandwidth_bytes_per_s;
}

std::string to_string(Bound bound) { return bound == Bound::compute ? "compute" : "memory_bandwidth"; }

GemmAnalysis analyze_gemm(const GemmShape& shape, const Chip& chip, const Precision& precision) {
  GemmAnalysis a;
  a.shape = shape;
  a.chip = chip.name;
  a.precision = precision.name;
  a.flops = gemm_flops(shape);
  a.bytes = gemm_bytes(shape, precision.bytes_per_element());
  a.arithmetic_intensity = a.flops / a.bytes;
  a.ridge_point = ridge_point(chip, precision);
  if (!a.ridge_point) {
    a.attainable_flops_per_s = std::numeric_limits<double>::quiet_NaN();
    a.time_s = std::numeric_limits<double>::quiet_NaN();
    return a;
  }
  const double peak = *chip.flops_per_s(precision.compute_class);
  const double memory_limited = a.arithmetic_intensity * chip.main_memory.bandwidth_bytes_per_s;
  a.bound = a.arithmetic_intensity >= *a.ridge_point ? Bound::compute : Bound::memory_bandwidth;
  a.attainable_flops_per_s = std::min(peak, memory_limited);
  a.time_s = a.flops / a.attainable_flops_per_s;
  return a;
}

double Roofline::attainable_flops_per_s(double arithmetic_intensity) const {
  return std::min(peak_flops_per_s, arithmetic_intensity * bandwidth_bytes_per_s);
}

std::optional<Roofline> hardware_roofline(const Hardware& hardware, const Precision& precision, double units) {
  const auto peak = hardware.flops_per_s(precision.compute_class);
  if (!peak) return std::nullopt;
  return Roofline{hardware.system.name, units, units * hardware.chip_count(), *peak * units,
                  hardware.memory_bandwidth_bytes_per_s() * units};
}

std::vector<double> roofline_intensities(double low, double high, const std::vector<double>& exact) {
  std::vector<double> points;
  for (int decade = static_cast<int>(std::floor(std::log10(low))); decade <= static_cast<int>(std::ceil(std::log10(high)));
       ++decade)
    for (double step : {1.0, 2.0, 5.0}) {
      // Decimal literals (2 = 2, not 2.0000000000000004): a table lookup at AI = 2 must find its row.
      const double value = decade >= 0 ? step * std::pow(10.0, decade) : step / std::pow(10.0, -decade);
      if (value >= low && value <= high) points.push_back(value);
    }
  points.insert(points.end(), exact.begin(), exact.end());
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

}  // namespace ws
