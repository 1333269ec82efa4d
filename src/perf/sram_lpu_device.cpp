#include "perf/sram_lpu_device.h"

#include <cmath>
#include <fmt/format.h>

#include "perf/hbm_gpu_device.h"

namespace ws {

SramLpuDevice::SramLpuDevice(const DeviceConstants& c)
    : bandwidth_efficiency_(c.get("sram_bandwidth_efficiency")),
      compute_efficiency_(c.get("compute_efficiency")),
      chip_hop_latency_s_(c.get("chip_hop_latency_s")),
      usable_memory_fraction_(c.get("usable_memory_fraction")) {}

StepTime SramLpuDevice::stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                                   bool last_stage, const Hardware& hardware, const Parallelism& parallel) const {
  const double tp = parallel.tp;
  const double bandwidth = tp * hardware.chip.main_memory.bandwidth_bytes_per_s * bandwidth_efficiency_;
  const double peak = tp * peak_flops_per_s(hardware.chip, work.compute_class) * compute_efficiency_;
  const double link = hardware.chip.scale_up_bytes_per_s.value_or(100e9);
  StepTime t;
  t.record_terms = work.record_terms;
  auto phase_time = [&](const PhaseWork& p, int layer) {
    auto label = [&p, layer] { return layer < 0 ? p.name : fmt::format("layer {} {}", layer, p.name); };
    const double memory_s = (p.weight_bytes_read + p.kv_bytes_read + p.kv_bytes_written) / bandwidth;
    const double compute_s = p.flops / peak;
    if (memory_s >= compute_s) t.add(label, bound::memory_bandwidth, memory_s);
    else t.add(label, bound::compute, compute_s);
    if ((p.ends_with_tp_reduction || p.expert_dispatch) && tp > 1)
      t.add([&] { return label() + " chip exchange"; }, bound::interconnect,
            chip_hop_latency_s_ * std::ceil(std::log2(tp)) + 2.0 * (tp - 1) / tp * p.activation_bytes_out / link);
  };
  if (first_stage) phase_time(work.embedding, -1);
  for (int i = first_layer; i < last_layer; ++i)
    for (const auto& phase : work.layer(i).phases) phase_time(phase, i);
  if (last_stage) phase_time(work.head, -1);
  return t;
}

StepTime SramLpuDevice::stage_hop_time(double activation_bytes, const Hardware& hardware) const {
  StepTime t;
  t.add("chip hop", bound::off_chip_io,
        chip_hop_latency_s_ + activation_bytes / hardware.chip.scale_up_bytes_per_s.value_or(100e9));
  return t;
}

}  // namespace ws
