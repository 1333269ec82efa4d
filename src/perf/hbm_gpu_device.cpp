#include "perf/hbm_gpu_device.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/error.h"

namespace ws {

namespace {
constexpr const char* kStepOverheadPrefix = "step_overhead_s_";

// Rows of the tile a kernel picks for `rows` tokens: the smallest power of two in [smallest, largest] that holds
// them (a loop of at most a few doublings: cheaper than log2/exp2 in a sweep of millions of GEMMs).
double tile_rows_for(double rows, double smallest, double largest) {
  double tile = smallest;
  while (tile < rows && tile < largest) tile *= 2;
  return std::min(tile, largest);
}
}  // namespace

double peak_flops_per_s(const Chip& chip, const std::string& compute_class) {
  if (auto f = chip.flops_per_s(compute_class)) return *f;
  if (auto f = chip.flops_per_s("fp16")) return *f;
  for (const auto& [name, f] : chip.dense_flops_per_s) return f;
  return 0;
}

std::vector<std::string> serving_stacks(const DeviceConstants& constants) {
  std::vector<std::string> stacks;
  for (const auto& [key, value] : constants.values)
    if (key.rfind(kStepOverheadPrefix, 0) == 0) stacks.push_back(key.substr(std::string(kStepOverheadPrefix).size()));
  return stacks;
}

HbmGpuDevice::HbmGpuDevice(const DeviceConstants& c)
    : bandwidth_efficiency_(c.get("hbm_bandwidth_efficiency")),
      gemm_compute_efficiency_(c.get("gemm_compute_efficiency")),
      expert_gemm_compute_efficiency_(c.get("expert_gemm_compute_efficiency")),
      attention_compute_efficiency_(c.get("attention_compute_efficiency")),
      kernel_overhead_s_(c.get("kernel_overhead_s")),
      collective_latency_s_(c.get("collective_latency_s")),
      scale_out_latency_s_(c.get("scale_out_latency_s")),
      scale_out_all_to_all_latency_s_(c.get("scale_out_all_to_all_latency_s")),
      gemm_tile_rows_(c.get("gemm_tile_rows")),
      gemm_min_tile_rows_(c.get("gemm_min_tile_rows")),
      gemm_tile_columns_(c.get("gemm_tile_columns")),
      usable_memory_fraction_(c.get("usable_memory_fraction")),
      software_overhead_growth_per_year_(c.get("software_overhead_growth_per_year")) {
  for (const auto& stack : serving_stacks(c)) {
    step_overhead_s_[stack] = c.get(kStepOverheadPrefix + stack);
    request_overhead_s_[stack] = c.get("request_overhead_s_" + stack);
    token_overhead_s_[stack] = c.get("token_overhead_s_" + stack);
  }
}

// Overheads of older releases: exp(growth x age) times today's (one fitted rate for every stack).
double HbmGpuDevice::software_age_factor(double age_years) const {
  return std::exp(software_overhead_growth_per_year_ * std::max(0.0, age_years));
}

double HbmGpuDevice::request_overhead_s(const std::string& serving_stack) const {
  step_overhead_s(serving_stack);  // the same stacks; throws for an unknown one
  return request_overhead_s_.at(serving_stack);
}

double HbmGpuDevice::step_overhead_s(const std::string& serving_stack) const {
  auto it = step_overhead_s_.find(serving_stack);
  if (it != step_overhead_s_.end()) return it->second;
  std::string known;
  for (const auto& [stack, seconds] : step_overhead_s_) known += (known.empty() ? "" : ", ") + stack;
  throw InputError("stack", fmt::format("unknown serving stack '{}' (calibrated: {})", serving_stack, known));
}

namespace {
// How many times the mean share of the touched experts the busiest expert-parallel group holds (1 without EP).
double busiest_expert_group_factor(const PhaseWork& p, const Parallelism& parallel) {
  if (parallel.ep <= 1 || p.experts <= 0 || p.experts_touched <= 0) return 1.0;
  const double mean = p.experts_touched / parallel.ep;
  return std::max(1.0, expected_busiest_group_experts(p.experts, p.experts_touched, parallel.ep) / mean);
}
}  // namespace

// One device's share of a GEMM: tensor parallelism splits its columns (or depth), expert parallelism its
// experts, attention data parallelism its rows. Tiles: rows rounded up to a power of two in
// [gemm_min_tile_rows, gemm_tile_rows] (small-M kernels swap operands so a decode batch fills narrow tiles),
// columns to gemm_tile_columns; the tiles run in whole waves over the compute units.
double HbmGpuDevice::gemm_seconds(const PhaseGemm& g, const PhaseWork& phase, const Chip& chip, double peak,
                                  const Parallelism& parallel, double busiest_group_factor) const {
  if (g.count <= 0 || g.rows <= 0) return 0;
  double rows = g.rows, columns = g.columns, depth = g.depth, count = g.count;
  double split = parallel.tp;
  if (parallel.attention_dp && phase.attention_side) {
    rows = std::ceil(rows / parallel.tp);
    split = 1;
  }
  if (g.experts && parallel.ep > 1) {
    count = count / parallel.ep * busiest_group_factor;
    split = std::max(1.0, split / parallel.ep);
  }
  if (phase.tp_splits_columns) columns /= split;
  else depth /= split;
  const double tile_rows = tile_rows_for(rows, gemm_min_tile_rows_, gemm_tile_rows_);
  double tiles = std::ceil(rows / tile_rows) * std::ceil(columns / gemm_tile_columns_) * std::ceil(count);
  if (chip.compute_units) {
    // Fewer tiles than compute units: the kernel splits the depth (split-K / stream-K) over the idle units, in
    // chunks of at least gemm_tile_columns, and the partial sums are reduced.
    const double units = *chip.compute_units;
    const double splits = std::clamp(std::floor(units / tiles), 1.0, std::max(1.0, std::floor(depth / gemm_tile_columns_)));
    tiles = std::ceil(tiles * splits / units) * units / splits;
  }
  const double efficiency = g.experts ? expert_gemm_compute_efficiency_ : gemm_compute_efficiency_;
  return 2.0 * tiles * tile_rows * gemm_tile_columns_ * depth / (peak * efficiency);
}

StepTime HbmGpuDevice::stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                                  bool last_stage, const Hardware& hardware, const Parallelism& parallel) const {
  const Chip& chip = hardware.chip;
  const double tp = parallel.tp;
  const bool data_parallel_attention = parallel.attention_dp && parallel.tp > 1;
  const double bandwidth = chip.main_memory.bandwidth_bytes_per_s * bandwidth_efficiency_;
  const double gemm_peak = peak_flops_per_s(chip, work.compute_class);
  const double attention_peak = peak_flops_per_s(chip, "fp16") * attention_compute_efficiency_;
  // A TP/EP group wider than one system's scale-up domain (8-GPU nodes, multi-node decode) exchanges over the
  // scale-out network.
  const bool across_systems = !hardware.system.is_single_chip && parallel.tp > hardware.system.chip_count;
  const double systems = across_systems ? std::ceil(tp / hardware.system.chip_count) : 1.0;
  const double link = chip.link_bytes_per_s(across_systems);
  StepTime t;
  t.record_terms = work.record_terms;
  double kernels = 0;
  // `layer` < 0 labels a phase outside the decoder layers (embedding, head).
  auto kernel = [&](const PhaseWork& p, int layer) {
    auto label = [&p, layer] { return layer < 0 ? p.name : fmt::format("layer {} {}", layer, p.name); };
    const bool replicated = data_parallel_attention && p.attention_side;
    double bytes = replicated ? p.weight_bytes_read : p.weight_bytes_read / tp;
    // Expert parallelism: the step waits for the device group whose experts the batch hits most.
    const double busiest = busiest_expert_group_factor(p, parallel);
    bytes += p.routed_weight_bytes_read / tp * (busiest - 1.0);
    double compute_s = 0;
    if (p.attention_kernel) {
      // KV heads split over TP up to their number; wider TP replicates them. Data-parallel attention splits
      // the sequences instead.
      const double kv = p.kv_bytes_read + p.kv_bytes_written;
      bytes += data_parallel_attention ? kv / tp : kv / std::min(tp, std::max(1.0, p.kv_heads));
      compute_s = p.flops / tp / attention_peak;
    } else {
      bytes += (p.kv_bytes_read + p.kv_bytes_written) / tp;
      for (const auto& g : p.gemms) compute_s += gemm_seconds(g, p, chip, gemm_peak, parallel, busiest);
    }
    const double memory_s = bytes / bandwidth;
    if (memory_s <= 0 && compute_s <= 0) return;
    ++kernels;
    if (memory_s >= compute_s) t.add(label, bound::memory_bandwidth, memory_s);
    else t.add(label, bound::compute, compute_s);
    if (p.expert_dispatch && data_parallel_attention) {
      // Each device sends its own tokens' expert inputs (dispatch) or outputs (combine) to the other devices.
      const double ep = std::max(2.0, static_cast<double>(parallel.ep));
      const double bytes_out = p.activation_bytes_out / tp * (ep - 1) / ep;
      // Across systems a fitted latency per all-to-all (Dynamo's H100 runs, all EP 16 over two nodes: how it
      // grows with wider EP is not in the data, so it stays one constant).
      const double rounds_s = across_systems ? scale_out_all_to_all_latency_s_ : 0.0;
      t.add([&] { return label() + " all-to-all"; }, bound::interconnect,
            collective_latency_s_ + rounds_s + bytes_out / link);
      ++kernels;
    } else if (p.ends_with_tp_reduction && tp > 1 && !replicated) {
      t.add([&] { return label() + " all-reduce"; }, bound::interconnect,
            collective_latency_s_ + 2.0 * (systems - 1) * scale_out_latency_s_ +
                2.0 * (tp - 1) / tp * p.activation_bytes_out / link);
      ++kernels;
    }
  };
  if (first_stage) kernel(work.embedding, -1);
  // A layer with the same work as the one before it takes the same time: reused when terms are not named.
  StepTime before = t;
  double kernels_before = kernels;
  StepTime layer_delta;
  double layer_kernels = 0;
  for (int i = first_layer; i < last_layer; ++i) {
    if (!t.record_terms && i > first_layer && work.layers[i].repeats_previous) {
      t.append(layer_delta);
      kernels += layer_kernels;
      continue;
    }
    if (!t.record_terms) {
      before = t;
      kernels_before = kernels;
    }
    for (const auto& phase : work.layer(i).phases) kernel(phase, i);
    if (!t.record_terms) {
      layer_delta = t.minus(before);
      layer_kernels = kernels - kernels_before;
    }
  }
  if (last_stage) kernel(work.head, -1);
  t.add([&] { return fmt::format("kernel launch gaps ({:.0f} kernels)", kernels); }, bound::overhead,
        kernels * kernel_overhead_s_ * work.overhead_scale);
  // The engine's host work per token of the step (scheduling, input preparation, sampling and acceptance,
  // appending and detokenising: Vidur's CPU overheads grow with the batch), once per scheduler: each data-parallel
  // attention rank schedules its own share. A verify step of k drafted tokens handles k + 1 per sequence.
  if (first_stage && !work.prefill && !work.draft) {
    const double per_token = token_overhead_s_.at(work.serving_stack);
    const double per_scheduler = data_parallel_attention ? work.tokens / tp : work.tokens;
    t.add([&] { return fmt::format("engine work for {:.0f} tokens ({})", per_scheduler, work.serving_stack); },
          bound::overhead, per_scheduler * per_token * work.overhead_scale);
  }
  return t;
}

StepTime HbmGpuDevice::stage_hop_time(double activation_bytes, const Hardware& hardware) const {
  StepTime t;
  const double link = hardware.chip.link_bytes_per_s(true);
  // Stages sit on different systems: each hop crosses the scale-out network.
  t.add("stage hop", bound::off_chip_io, scale_out_latency_s_ + activation_bytes / link);
  return t;
}

}  // namespace ws
