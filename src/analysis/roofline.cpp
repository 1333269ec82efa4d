#include "analysis/roofline.h"

#include <algorithm>
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

}  // namespace ws
