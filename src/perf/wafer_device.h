#pragma once
#include "perf/device_class.h"

namespace ws {

// Wafer-scale engine. Weights stay resident in SRAM, spread evenly over the enabled cores of the wafer
// (b = resident weight bytes / cores per core). Each phase of a layer runs on the region of cores that holds
// its weights, and costs
//   fabric:  (phase_setup_cycles + 2 x hop_cycles x sqrt(region cores)) / clock   (broadcast the input
//            vector across the region, reduce the partial sums back; the mesh's per-hop latency)
//   then     max(b / per-core SRAM bandwidth,  FLOPs / (active cores x per-core FLOP/s))
// where only the cores of the experts a batch touches are active in a MoE phase. Attention reads the KV
// held in the leftover SRAM of the layer's share of the wafer. Per-core rates are the wafer's published
// aggregate rates divided by its enabled cores. Wafers are joined stage to stage over the off-wafer links:
// activation bytes / scale-out bandwidth + a fixed hop latency. (WaferLLM, OSDI'25, models the mesh the same
// way: latency alpha x hops + per-step software cost.)
class WaferDevice : public DeviceClass {
 public:
  explicit WaferDevice(const DeviceConstants& constants);
  std::string name() const override { return "wafer"; }
  StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage, bool last_stage,
                      const Hardware& hardware, const Parallelism& parallel) const override;
  StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const override;
  double usable_memory_fraction() const override { return usable_memory_fraction_; }

 private:
  double phase_setup_cycles_;
  double wafer_hop_latency_s_;
  double usable_memory_fraction_;
};

}  // namespace ws
