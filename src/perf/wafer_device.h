#pragma once
#include <map>

#include "model/footprint.h"
#include "perf/device_class.h"

namespace ws {

// Wafer-scale engine, from its mesh up. Every phase of a layer is a fabric kernel on the region of cores that
// holds its weights (src/fabric/analytic.h gives each kernel's cycles from the chip's core-level facts: hop and
// ramp latency, link width, SRAM read rate, MACs per cycle, clock):
//   - a weights phase over T tokens is a MeshGEMV streamed T times (the input broadcast down the region's
//     columns, each core multiplies its tile, the rows reduce the outputs: WaferLLM's MeshGEMV), or, where it is
//     faster (prefill), a MeshGEMM (Cannon-style shifts, WaferLLM); routed experts run on their own sub-regions,
//     the tokens crossing the phase's region to reach them;
//   - decode attention runs over the KV cache spread across the layer's region (fabric attention kernel);
//   - each dependent phase also pays the serving stack's software cost, `phase_overhead_cycles_<stack>` (task
//     switches and synchronisation of the stack's kernels), and each MeshGEMM shift step `gemm_step_overhead_cycles`:
//     the only fitted constants (calibration.toml [wafer], with what they were fitted on).
// Deployments: the vendor's stack (`cerebras`, the default) spreads every layer over the wafer, each phase on cores in
// proportion to its weights; `--grid RxC` runs each layer in turn on one R x C region, as WaferLLM measured.
// Wafers are joined stage to stage over the off-wafer links: activation bytes / scale-out bandwidth + a hop latency.
class WaferDevice : public DeviceClass {
 public:
  explicit WaferDevice(const DeviceConstants& constants);
  std::string name() const override { return "wafer"; }
  StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage, bool last_stage,
                      const Hardware& hardware, const Parallelism& parallel) const override;
  StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const override;
  // Per-phase costs live in stage_time; this checks the stack's name (an unknown one is an input error).
  double step_overhead_s(const std::string& serving_stack) const override;
  std::string default_stack() const override { return "cerebras"; }
  double usable_memory_fraction() const override { return usable_memory_fraction_; }

 private:
  double phase_overhead_cycles(const std::string& stack) const;
  double prefill_gemv_max_tokens(const std::string& stack) const;
  std::map<std::string, double> phase_overhead_cycles_;  // by software stack
  // Longest prompt chunk a stack streams through MeshGEMVs (prefill_gemv_max_tokens_<stack>; absent: no limit,
  // the faster kernel runs).
  std::map<std::string, double> prefill_gemv_max_tokens_;
  double gemm_step_overhead_cycles_;
  double wafer_hop_latency_s_;
  double usable_memory_fraction_;
};

// One decode layer of `model` (batch 1, `context_tokens` of KV) on a `rows` x `cols` region of the chip's cores,
// timed by this class from the fabric's closed forms with no software cost, and by the event simulator
// (fabric::layer_kernel, two-phase reductions): how far the analytic wafer model is from the mesh it stands for.
struct LayerAgreement {
  double analytic_s = 0, simulated_s = 0;
  double error() const { return analytic_s / simulated_s - 1; }
};
LayerAgreement compare_layer_with_fabric(const DeviceConstants& constants, const Hardware& hardware, const ModelSpec& model,
                                         const WeightFormat& weights, const Precision& kv, int rows, int cols,
                                         double context_tokens);

// Software stacks with wafer constants in `constants` (keys phase_overhead_cycles_<stack>).
std::vector<std::string> wafer_stacks(const DeviceConstants& constants);

}  // namespace ws
