#include "placement/feasibility.h"

#include <cmath>

namespace ws {

double family_layers(double params) {
  const double hidden = std::cbrt(128.0 * params / 12.0);
  return std::max(1.0, std::round(hidden / 128.0));
}

double family_kv_bytes_per_token(double params, double kv_bytes_per_element) {
  return 2.0 * family_layers(params) * 1024.0 * kv_bytes_per_element;
}

double systems_needed(double weight_bytes, double kv_bytes_per_sequence, double concurrency, const Hardware& hardware) {
  const double capacity = hardware.chip.main_memory.capacity_bytes * hardware.system.chip_count;
  return std::ceil((weight_bytes + concurrency * kv_bytes_per_sequence) / capacity);
}

FeasibilityGrid feasibility_grid(const Hardware& hardware, double concurrency, double weight_bytes_per_param,
                                 double kv_bytes_per_element, int points, double min_params, double max_params,
                                 double min_input, double max_input) {
  FeasibilityGrid grid;
  for (int i = 0; i < points; ++i) {
    const double t = static_cast<double>(i) / (points - 1);
    grid.params.push_back(min_params * std::pow(max_params / min_params, t));
    grid.input_tokens.push_back(min_input * std::pow(max_input / min_input, t));
  }
  for (double p : grid.params) {
    std::vector<double> row;
    for (double input : grid.input_tokens)
      row.push_back(systems_needed(p * weight_bytes_per_param, input * family_kv_bytes_per_token(p, kv_bytes_per_element),
                                   concurrency, hardware));
    grid.systems.push_back(std::move(row));
  }
  return grid;
}

}  // namespace ws
