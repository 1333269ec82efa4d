#pragma once
#include <string>
#include <vector>

#include "core/precision.h"
#include "hardware/system.h"
#include "model/model_spec.h"

namespace ws {

// The source's feasibility phase diagram: systems needed to hold one copy of a model's weights plus the KV
// of C concurrent requests at an average input length, over model size and input length (capacity rule,
// as the public calculator counts "systems for one copy").
//
// A model of a given size is a member of a dense GQA family, so that KV grows with size the way the Llama 3
// line does: hidden d = (128 P / 12)^(1/3) (P = 12 L d^2 with L = d / 128 layers), 8 KV heads of 128, so
// KV bytes per token = 2 x L x 1024 x KV bytes per element (Llama 3.1 8B/70B/405B: 139k/291k/520k B at bf16,
// vs 131k/328k/516k real).
struct FeasibilityGrid {
  std::vector<double> params;        // model sizes (rows)
  std::vector<double> input_tokens;  // average input lengths (columns)
  std::vector<std::vector<double>> systems;  // [param][input]
};

double family_layers(double params);
double family_kv_bytes_per_token(double params, double kv_bytes_per_element);

// Systems for weights + concurrency x KV(input) on `hardware`, by capacity.
double systems_needed(double weight_bytes, double kv_bytes_per_sequence, double concurrency, const Hardware& hardware);

FeasibilityGrid feasibility_grid(const Hardware& hardware, double concurrency, double weight_bytes_per_param,
                                 double kv_bytes_per_element, int points_per_axis = 41,
                                 double min_params = 125e9, double max_params = 4e12, double min_input = 16e3,
                                 double max_input = 10e6);

struct FeasibilityPoint {
  std::string model;
  double params = 0;
  double input_tokens = 0;  // the model's maximum context
  double systems = 0;
};

}  // namespace ws
