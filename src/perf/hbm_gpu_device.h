#pragma once
#include "perf/device_class.h"

namespace ws {

// HBM accelerator (GPU/XPU). Each phase is a roofline: max(bytes / (TP x HBM bandwidth x efficiency),
// FLOPs / (TP x peak x efficiency)); a tensor-parallel all-reduce after the output and down projections
// (ring: 2 (TP-1)/TP x bytes over the scale-up link, plus a latency); an expert all-to-all under EP; a fixed
// per-layer overhead for kernel launches and scheduling; pipeline stages joined over scale-out links.
class HbmGpuDevice : public DeviceClass {
 public:
  explicit HbmGpuDevice(const DeviceConstants& constants);
  std::string name() const override { return "hbm_gpu"; }
  StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage, bool last_stage,
                      const Hardware& hardware, const Parallelism& parallel) const override;
  StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const override;
  double usable_memory_fraction() const override { return usable_memory_fraction_; }

 private:
  double bandwidth_efficiency_;
  double decode_compute_efficiency_;
  double prefill_compute_efficiency_;
  double layer_overhead_s_;
  double collective_latency_s_;
  double usable_memory_fraction_;
};

// The peak FLOP/s a chip runs a compute class at: the class itself, else the next wider one it has.
double peak_flops_per_s(const Chip& chip, const std::string& compute_class);

}  // namespace ws
