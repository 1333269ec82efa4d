#pragma once
#include <map>

#include "perf/device_class.h"

namespace ws {

// HBM accelerator (GPU/XPU), built from the kernels a serving engine runs per layer (per device of a stage):
// - a GEMM runs for max(its weight bytes / (HBM bandwidth x efficiency), its padded FLOPs / (peak x efficiency)),
//   where the padded FLOPs are the tiles it is cut into (rows rounded up to a power-of-two tile of 16..128,
//   columns to 128) rounded up to whole waves over the chip's SMs/CUs; MoE experts are grouped GEMMs of the
//   tokens routed to each expert hit. Peak is the datasheet rate of the precision the GEMM runs at; dense GEMMs
//   and the routed experts' grouped GEMMs have separate efficiencies (the first a cuBLAS-measured assumption,
//   the second fitted: the fitting data is MoE only and cannot tell dense GEMMs from attention);
// - attention reads the KV cache at HBM bandwidth (replicated on every device when TP is wider than the KV
//   heads, as MLA's one latent always is, unless attention runs data-parallel) and computes at the 16-bit rate;
// - collectives: all-reduce (ring, 2 (n-1)/n x bytes) or EP all-to-all over the scale-up link, plus a latency;
//   a group spanning n systems (multi-node TP/EP) crosses the scale-out network: the bytes at its bandwidth and
//   a scale-out latency per inter-system step of a hierarchical all-reduce (2 (n-1) steps, NCCL) and one per
//   all-to-all (both fitted on the multi-node Dynamo runs);
// - every kernel costs a launch gap, every engine iteration and every request a per-serving-stack overhead.
class HbmGpuDevice : public DeviceClass {
 public:
  explicit HbmGpuDevice(const DeviceConstants& constants);
  std::string name() const override { return "hbm_gpu"; }
  StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage, bool last_stage,
                      const Hardware& hardware, const Parallelism& parallel) const override;
  StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const override;
  double step_overhead_s(const std::string& serving_stack) const override;
  double request_overhead_s(const std::string& serving_stack) const override;
  double software_age_factor(double age_years) const override;
  std::string default_stack() const override { return "vllm"; }
  double usable_memory_fraction() const override { return usable_memory_fraction_; }

 private:
  // `busiest_group_factor`: the phase's busiest expert-parallel group over the mean (1 without EP).
  double gemm_seconds(const PhaseGemm& gemm, const PhaseWork& phase, const Chip& chip, double peak_flops_per_s,
                      const Parallelism& parallel, double busiest_group_factor) const;
  double bandwidth_efficiency_;
  double gemm_compute_efficiency_;
  double expert_gemm_compute_efficiency_;
  double attention_compute_efficiency_;
  double kernel_overhead_s_;
  double collective_latency_s_;
  double scale_out_latency_s_;             // per inter-system step of an all-reduce, per pipeline hop
  double scale_out_all_to_all_latency_s_;  // per all-to-all across systems
  double gemm_tile_rows_, gemm_min_tile_rows_, gemm_tile_columns_;
  double usable_memory_fraction_;
  double software_overhead_growth_per_year_;
  std::map<std::string, double> step_overhead_s_;     // by serving stack
  std::map<std::string, double> request_overhead_s_;  // by serving stack
  std::map<std::string, double> token_overhead_s_;  // by serving stack, per token of a decode step (host work)
};

// The peak FLOP/s a chip runs a compute class at: the class itself, else (weight-only quantisation: the
// weights are upcast and the math runs at the activations' 16-bit precision) its 16-bit rate, else the first
// rate it lists (an INT8-only chip).
double peak_flops_per_s(const Chip& chip, const std::string& compute_class);

// Serving stacks with engine-overhead constants in `constants` (keys step_overhead_s_<stack> and
// request_overhead_s_<stack>).
std::vector<std::string> serving_stacks(const DeviceConstants& constants);

}  // namespace ws
