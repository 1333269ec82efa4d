#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/precision.h"
#include "hardware/system.h"
#include "model/footprint.h"
#include "model/model_spec.h"

namespace ws {

struct DeployRequest {
  double context_tokens = 128000;
  double concurrency = 1;
  WeightFormat weights;
  Precision kv;
  bool honor_windows = true;  // sliding/chunked layers cache at most their window
};

// One device's share of the weights (a pipeline stage on a wafer; an even shard elsewhere).
struct DeviceShare {
  int first_layer = 0;  // [first_layer, last_layer)
  int last_layer = 0;
  double weight_bytes = 0;
};

// How a model is cut across devices, and the memory left for KV.
// Wafers: weights stay resident in SRAM and the 150 GB/s I/O rules out tensor parallelism across wafers, so
// the model is cut on layer boundaries only (first stage also holds the embedding, last the output head).
// HBM GPUs and SRAM LPUs shard inside layers (TP/EP), so only capacity counts.
struct Deployment {
  std::string model;
  std::string hardware;
  std::string placement_rule;  // "layer_boundaries" or "capacity"
  std::string weight_format;
  std::string kv_precision;
  bool feasible = true;
  std::string infeasible_reason;

  double weight_bytes = 0;
  double device_capacity_bytes = 0;
  int num_layers = 0;  // 0 when a published aggregate gives no layer count
  std::vector<DeviceShare> shares;

  int min_devices = 0;
  int min_systems = 0;
  double layers_per_device = 0;          // num_layers / min_devices
  int max_layers_per_device = 0;         // most layers on any one device
  double free_bytes_per_device = 0;      // capacity - weights / devices (mean over devices)
  double min_free_bytes_per_device = 0;  // on the fullest device

  double kv_bytes_per_token = 0;  // every layer at full context (the footprint table's figure)
  double kv_bytes_per_sequence = 0;       // at context_tokens
  std::optional<double> kv_transfer_seconds;  // one sequence's KV over the devices' off-chip links in parallel
  double sequences_that_fit = 0;          // in the free memory of min_devices

  double concurrency = 0;
  double context_tokens = 0;
  int devices_for_concurrency = 0;        // ceil((weights + C x KV per sequence) / capacity)
  int systems_for_concurrency = 0;
  double layers_per_device_at_concurrency = 0;
  double kv_share_of_memory = 0;          // KV / (weights + KV) at that concurrency

  // Alternative counts, for comparing with published tables that used them.
  int devices_by_capacity = 0;            // ceil(weights / capacity), ignoring layer boundaries
  int devices_by_uniform_layers = 0;      // floor(capacity / (weights / layers)) layers each
};

Deployment deploy(const ModelSpec& model, const Hardware& hardware, const DeployRequest& request);

// Greedy packing of layers onto devices of `capacity_bytes` on layer boundaries (optimal for a fixed order).
// Returns an empty vector if one layer (with the embedding on the first stage or the head on the last) does
// not fit in a device.
std::vector<DeviceShare> pack_layers(const std::vector<double>& layer_bytes, double first_extra_bytes,
                                     double last_extra_bytes, double capacity_bytes);

}  // namespace ws
