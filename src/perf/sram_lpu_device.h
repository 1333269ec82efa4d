#pragma once
#include "perf/device_class.h"

namespace ws {

// SRAM chip (Groq LPU): a model spread over many small-SRAM chips. Within a stage, TP chips share each layer
// and exchange partial sums over the chip-to-chip SerDes links (a latency per exchange plus bytes over the
// scale-up bandwidth); stages are joined the same way. Per phase: max(bytes / (TP x SRAM bandwidth x eff),
// FLOPs / (TP x peak x eff)). The hop latency is fitted on Groq's Llama 2 70B speeds; the efficiencies are
// assumptions (those latency-bound speeds do not show them).
class SramLpuDevice : public DeviceClass {
 public:
  explicit SramLpuDevice(const DeviceConstants& constants);
  std::string name() const override { return "sram_lpu"; }
  StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage, bool last_stage,
                      const Hardware& hardware, const Parallelism& parallel) const override;
  StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const override;
  double usable_memory_fraction() const override { return usable_memory_fraction_; }

 private:
  double bandwidth_efficiency_;
  double compute_efficiency_;
  double chip_hop_latency_s_;
  double usable_memory_fraction_;
};

}  // namespace ws
