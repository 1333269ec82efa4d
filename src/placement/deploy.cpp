#include "placement/deploy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/units.h"

namespace ws {

std::vector<DeviceShare> pack_layers(const std::vector<double>& layer_bytes, double first_extra_bytes,
                                     double last_extra_bytes, double capacity_bytes) {
  std::vector<DeviceShare> shares;
  const int n = static_cast<int>(layer_bytes.size());
  DeviceShare current{0, 0, first_extra_bytes};
  for (int i = 0; i < n; ++i) {
    const bool last = i == n - 1;
    const double need = layer_bytes[i] + (last ? last_extra_bytes : 0.0);
    if (current.weight_bytes + need > capacity_bytes) {
      if (current.last_layer == current.first_layer) return {};  // this layer alone does not fit
      shares.push_back(current);
      current = DeviceShare{i, i, 0.0};
      if (need > capacity_bytes) return {};
    }
    current.weight_bytes += need;
    current.last_layer = i + 1;
  }
  shares.push_back(current);
  return shares;
}

Deployment deploy(const ModelSpec& model, const Hardware& hardware, const DeployRequest& request) {
  Deployment d;
  d.model = model.name;
  d.hardware = hardware.system.name;
  d.weight_format = request.weights.name;
  d.kv_precision = request.kv.name;
  d.context_tokens = request.context_tokens;
  d.concurrency = request.concurrency;
  d.device_capacity_bytes = hardware.chip.main_memory.capacity_bytes;
  d.weight_bytes = weight_bytes(model, request.weights);
  const double capacity = d.device_capacity_bytes;
  const double bonded = hardware.chip.bonded_memory ? hardware.chip.bonded_memory->capacity_bytes : 0.0;
  const bool layer_bound = hardware.chip.device_class == "wafer";

  // Layers: from the config, or a published aggregate's count (then all layers are taken as equal).
  std::vector<double> layer_bytes;
  double first_extra = 0, last_extra = 0;
  if (!model.is_aggregate()) {
    for (const auto& layer : model.layers) layer_bytes.push_back(layer_weight_bytes(model, layer, request.weights));
    first_extra = input_embedding_bytes(model, request.weights);
    last_extra = output_head_bytes(model, request.weights);
  } else if (model.aggregate->num_layers > 0) {
    layer_bytes.assign(model.aggregate->num_layers, d.weight_bytes / model.aggregate->num_layers);
  }
  d.num_layers = model.is_aggregate() ? model.aggregate->num_layers : model.num_decoder_layers();

  d.devices_by_capacity = static_cast<int>(std::ceil(d.weight_bytes / capacity));
  if (d.num_layers > 0) {
    const int per_device = static_cast<int>(std::floor(capacity / (d.weight_bytes / d.num_layers)));
    d.devices_by_uniform_layers = per_device > 0 ? (d.num_layers + per_device - 1) / per_device : 0;
  }

  if (layer_bound && !layer_bytes.empty()) {
    d.placement_rule = "layer_boundaries";
    d.shares = pack_layers(layer_bytes, first_extra, last_extra, capacity);
    if (d.shares.empty()) {
      const double largest = *std::max_element(layer_bytes.begin(), layer_bytes.end());
      d.feasible = false;
      d.infeasible_reason = fmt::format(
          "a layer needs {:.2f} GB of weights but a {} holds {:.2f} GB: it cannot be placed on layer boundaries "
          "(try a smaller --weight-dtype)", largest / units::bytes_per_gb, hardware.chip.display_name,
          capacity / units::bytes_per_gb);
    }
  } else {
    d.placement_rule = "capacity";
    const int devices = std::max(1, d.devices_by_capacity);
    for (int i = 0; i < devices; ++i) {
      const int first = d.num_layers * i / devices, last = d.num_layers * (i + 1) / devices;
      d.shares.push_back(DeviceShare{first, last, d.weight_bytes / devices});
    }
  }

  d.kv_bytes_per_token = kv_bytes_per_token(model, request.kv);
  d.kv_bytes_per_sequence = kv_bytes_for_context(model, request.kv, request.context_tokens, request.honor_windows);
  if (d.feasible) {
    d.min_devices = static_cast<int>(d.shares.size());
    d.min_systems = (d.min_devices + hardware.system.chip_count - 1) / hardware.system.chip_count;
    d.layers_per_device = d.num_layers > 0 ? static_cast<double>(d.num_layers) / d.min_devices : 0;
    double fullest = 0;
    for (const auto& share : d.shares) {
      fullest = std::max(fullest, share.weight_bytes);
      d.max_layers_per_device = std::max(d.max_layers_per_device, share.last_layer - share.first_layer);
    }
    d.free_bytes_per_device = capacity - d.weight_bytes / d.min_devices;
    d.min_free_bytes_per_device = capacity - fullest;
    // Each device moves its own layers' share of the KV over its own off-chip links, in parallel.
    if (auto link = hardware.chip.scale_out_bytes_per_s)
      d.kv_transfer_seconds = d.kv_bytes_per_sequence / (d.min_devices * *link);
    // A bonded DRAM tier holds all the KV (the SRAM the weights): perf/engine.cpp places it the same way.
    const double free_total = bonded > 0 ? bonded * d.min_devices : capacity * d.min_devices - d.weight_bytes;
    d.sequences_that_fit = d.kv_bytes_per_sequence > 0 ? std::floor(free_total / d.kv_bytes_per_sequence) : 0;
  }

  // The public calculator's "systems for one copy": weights plus the KV of every concurrent sequence.
  const double kv_total = request.concurrency * d.kv_bytes_per_sequence;
  d.devices_for_concurrency = bonded > 0 ? static_cast<int>(std::ceil(kv_total / bonded))
                                         : static_cast<int>(std::ceil((d.weight_bytes + kv_total) / capacity));
  if (d.feasible) d.devices_for_concurrency = std::max(d.devices_for_concurrency, d.min_devices);
  d.systems_for_concurrency = (d.devices_for_concurrency + hardware.system.chip_count - 1) / hardware.system.chip_count;
  d.layers_per_device_at_concurrency =
      d.num_layers > 0 ? static_cast<double>(d.num_layers) / d.devices_for_concurrency : 0;
  d.kv_share_of_memory = kv_total / (d.weight_bytes + kv_total);
  return d;
}

}  // namespace ws
