#include "perf/hbm_gpu_device.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace ws {

double peak_flops_per_s(const Chip& chip, const std::string& compute_class) {
  // A chip without an FP4 path runs FP4 weights at FP8 (or FP16) rates after upcasting.
  const std::vector<std::string> order = {"fp4", "fp8", "fp16"};
  auto start = std::find(order.begin(), order.end(), compute_class);
  for (auto it = start == order.end() ? order.begin() + 2 : start; it != order.end(); ++it)
    if (auto f = chip.flops_per_s(*it)) return *f;
  for (const auto& [name, f] : chip.dense_flops_per_s) return f;  // narrower only (LPU INT8 for FP16 work)
  return 0;
}

HbmGpuDevice::HbmGpuDevice(const DeviceConstants& c)
    : bandwidth_efficiency_(c.get("hbm_bandwidth_efficiency")),
      decode_compute_efficiency_(c.get("decode_compute_efficiency")),
      prefill_compute_efficiency_(c.get("prefill_compute_efficiency")),
      layer_overhead_s_(c.get("layer_overhead_s")),
      collective_latency_s_(c.get("collective_latency_s")),
      usable_memory_fraction_(c.get("usable_memory_fraction")) {}

StepTime HbmGpuDevice::stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                                  bool last_stage, const Hardware& hardware, const Parallelism& parallel) const {
  const double tp = parallel.tp;
  const double bandwidth = tp * hardware.chip.main_memory.bandwidth_bytes_per_s * bandwidth_efficiency_;
  const double efficiency = work.prefill ? prefill_compute_efficiency_ : decode_compute_efficiency_;
  const double peak = tp * peak_flops_per_s(hardware.chip, work.compute_class) * efficiency;
  const double link = hardware.chip.scale_up_bytes_per_s.value_or(hardware.chip.scale_out_bytes_per_s.value_or(50e9));
  StepTime t;
  t.record_terms = work.record_terms;
  // `layer` < 0 labels a phase outside the decoder layers (embedding, head).
  auto roofline = [&](const PhaseWork& p, int layer) {
    auto label = [&p, layer] { return layer < 0 ? p.name : fmt::format("layer {} {}", layer, p.name); };
    const double bytes = p.weight_bytes_read + p.kv_bytes_read + p.kv_bytes_written;
    const double memory_s = bytes / bandwidth;
    const double compute_s = p.flops / peak;
    if (memory_s >= compute_s) t.add(label, bound::memory_bandwidth, memory_s);
    else t.add(label, bound::compute, compute_s);
    if (p.ends_with_tp_reduction && tp > 1)
      t.add([&] { return label() + " all-reduce"; }, bound::interconnect,
            collective_latency_s_ + 2.0 * (tp - 1) / tp * p.activation_bytes_out / link);
    if (p.expert_dispatch && parallel.ep > 1) {
      const double ep = parallel.ep;
      t.add([&] { return label() + " all-to-all"; }, bound::interconnect,
            collective_latency_s_ + 2.0 * (ep - 1) / ep * p.activation_bytes_out / link);
    }
  };
  if (first_stage) roofline(work.embedding, -1);
  for (int i = first_layer; i < last_layer; ++i) {
    for (const auto& phase : work.layers[i].phases) roofline(phase, i);
    t.add([i] { return fmt::format("layer {} launch overhead", i); }, bound::overhead, layer_overhead_s_);
  }
  if (last_stage) roofline(work.head, -1);
  return t;
}

StepTime HbmGpuDevice::stage_hop_time(double activation_bytes, const Hardware& hardware) const {
  StepTime t;
  const double link = hardware.chip.scale_out_bytes_per_s.value_or(hardware.chip.scale_up_bytes_per_s.value_or(50e9));
  t.add("stage hop", bound::off_chip_io, collective_latency_s_ + activation_bytes / link);
  return t;
}

}  // namespace ws
