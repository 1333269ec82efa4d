#pragma once
#include <optional>
#include <string>

#include "core/precision.h"
#include "hardware/chip.h"

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

}  // namespace ws
