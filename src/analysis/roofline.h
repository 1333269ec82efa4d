#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/precision.h"
#include "hardware/chip.h"
#include "hardware/system.h"

namespace ws {

// C[M x N] = A[M x K] . B[K x N], every operand read from or written to main memory once.
struct GemmShape {
  std::string name;
  double m = 0, n = 0, k = 0;
};

double gemm_flops(const GemmShape& shape);                               // 2 M N K
double gemm_bytes(const GemmShape& shape, double bytes_per_element);     // (MK + KN + MN) b
double arithmetic_intensity(const GemmShape& shape, double bytes_per_element);  // FLOPs / byte

// Ridge point of the roofline: peak FLOP/s / memory bytes/s (FLOPs per byte). nullopt when the chip has no
// FLOP/s figure for the precision's compute class.
std::optional<double> ridge_point(const Chip& chip, const Precision& precision);

enum class Bound { memory_bandwidth, compute };
std::string to_string(Bound bound);

struct GemmAnalysis {
  GemmShape shape;
  std::string chip;
  std::string precision;
  double flops = 0;
  double bytes = 0;
  double arithmetic_intensity = 0;
  std::optional<double> ridge_point;  // nullopt: precision not supported by the chip
  Bound bound = Bound::memory_bandwidth;
  double attainable_flops_per_s = 0;  // min(peak, AI x bandwidth)
  double time_s = 0;                  // flops / attainable
};

// At exactly the ridge point both limits are equal; it is classed compute-bound.
GemmAnalysis analyze_gemm(const GemmShape& shape, const Chip& chip, const Precision& precision);

// The roofline of a chip, a system, or what a budget buys of one: attainable FLOP/s at an arithmetic intensity is
// min(peak, intensity x memory bandwidth).
struct Roofline {
  std::string name;
  double units = 1;  // copies of the hardware (fractional where a budget buys part of one)
  double chips = 1;  // chips in those copies
  double peak_flops_per_s = 0;
  double bandwidth_bytes_per_s = 0;
  double ridge_point() const { return peak_flops_per_s / bandwidth_bytes_per_s; }
  double attainable_flops_per_s(double arithmetic_intensity) const;
};

// `units` copies of `hardware` at the precision's compute class over its main memory; nullopt when the chip has no
// FLOP/s figure for that class.
std::optional<Roofline> hardware_roofline(const Hardware& hardware, const Precision& precision, double units = 1);

// Intensities to draw rooflines at: 1, 2 and 5 per decade over [low, high], plus `exact` (ridge points, shapes), sorted
// and unique. On log-log axes a roofline is two straight pieces, so these points draw it exactly.
std::vector<double> roofline_intensities(double low, double high, const std::vector<double>& exact = {});

}  // namespace ws
