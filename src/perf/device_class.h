#pragma once
#include <array>
#include <map>
#include <type_traits>
#include <memory>
#include <string>
#include <vector>

#include "hardware/device_constants.h"
#include "hardware/system.h"
#include "perf/work.h"

namespace ws {

// What limits a term of a step. Every prediction names the bound whose terms add up to the most time.
namespace bound {
inline const std::string compute = "compute";
inline const std::string memory_bandwidth = "memory_bandwidth";
inline const std::string fabric_latency = "fabric_latency";   // on-wafer mesh: hops and per-phase setup
inline const std::string interconnect = "interconnect";       // TP/EP collectives over scale-up links
inline const std::string off_chip_io = "off_chip_io";         // pipeline hops between devices
inline const std::string overhead = "overhead";               // kernel launch / scheduling per layer
inline const std::string capacity = "capacity";
}  // namespace bound

struct Term {
  std::string name;   // "layer 3 attention", "wafer hop 2->3"
  std::string bound;  // one of bound::*
  double seconds = 0;
};

const std::vector<std::string>& all_bounds();
std::size_t bound_index(const std::string& bound_name);

// The time of a step and the terms that add up to it. Totals per bound are always kept; the named terms only
// when record_terms is set (sweeps turn it off: building a label per phase costs more than the physics).
struct StepTime {
  double seconds = 0;
  bool record_terms = true;
  std::vector<Term> terms;
  std::array<double, 7> totals{};

  // `label` is a string or a callable returning one (called only when terms are recorded).
  template <typename Label>
  void add(Label&& label, const std::string& bound_name, double s) {
    seconds += s;
    totals[bound_index(bound_name)] += s;
    if (!record_terms) return;
    if constexpr (std::is_invocable_v<Label>) terms.push_back(Term{label(), bound_name, s});
    else terms.push_back(Term{std::string(label), bound_name, s});
  }
  void append(const StepTime& other, const std::string& prefix = "");
  // What this step added since `earlier` (a copy of it taken before): seconds and totals only, no terms.
  StepTime minus(const StepTime& earlier) const;
  std::map<std::string, double> seconds_by_bound() const;
  std::string bound() const;  // the bound with the largest total
};

// How a model is split: TP within a stage, PP across stages, EP for experts (inside the TP x PP devices).
struct Parallelism {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  // Attention data-parallel over the TP group: each device runs the attention of its own share of the
  // sequences with the whole attention weights (no KV replication, no all-reduce after o_proj); the experts
  // stay expert-parallel, reached by an all-to-all.
  bool attention_dp = false;
  // Devices per stage where stages differ in width (LPUs: each stage as many chips as its weights need);
  // empty: every stage has `tp` (then the widest).
  std::vector<int> stage_tp;
  // Wafers: the R x C region of cores each layer runs on in turn (WaferLLM's deployment); 0: the vendor's
  // layout, every layer resident on its own share of the wafer.
  int grid_rows = 0, grid_cols = 0;
  int devices() const {
    if (stage_tp.empty()) return tp * pp;
    int total = 0;
    for (int width : stage_tp) total += width;
    return total;
  }
};

// A device class: turns one pipeline stage's work into time on one stage of `parallel.tp` devices.
// Narrow and pure: no state beyond its constants.
class DeviceClass {
 public:
  virtual ~DeviceClass() = default;
  virtual std::string name() const = 0;
  // Layers [first_layer, last_layer) of `work` on one stage; the first stage also embeds, the last also runs
  // the output head.
  virtual StepTime stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                              bool last_stage, const Hardware& hardware, const Parallelism& parallel) const = 0;
  // Moving `activation_bytes` from one stage to the next.
  virtual StepTime stage_hop_time(double activation_bytes, const Hardware& hardware) const = 0;
  // Per engine iteration, outside the kernels: scheduling, sampling, launching the step (CUDA-graph replay),
  // for a serving stack ("vllm", "sglang", "trt"). Throws InputError for a stack the class has no constant for.
  virtual double step_overhead_s(const std::string& serving_stack) const { (void)serving_stack; return 0; }
  // Per request, outside the model's steps: receiving, tokenizing and scheduling it before its first token
  // (part of TTFT), for a serving stack.
  virtual double request_overhead_s(const std::string& serving_stack) const { (void)serving_stack; return 0; }
  // How much longer the software overheads (per iteration, per kernel, per request) of a release `age_years`
  // older than the one the constants describe take; 1 for classes without such a trend.
  virtual double software_age_factor(double age_years) const { (void)age_years; return 1; }
  // The stack a request runs on when it names none ("vllm" on GPUs, the vendor's stack on wafers; "" where the
  // class has no per-stack constants).
  virtual std::string default_stack() const { return ""; }
  // Share of device memory usable for weights + KV.
  virtual double usable_memory_fraction() const = 0;
};

}  // namespace ws
