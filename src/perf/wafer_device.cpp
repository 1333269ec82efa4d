#include "perf/wafer_device.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <cmath>
#include <fmt/format.h>
#include <array>
#include <limits>
#include <map>
#include <stdexcept>

#include "core/error.h"
#include "fabric/analytic.h"
#include "fabric/kernels.h"
#include "fabric/mesh.h"

namespace ws {

namespace {

constexpr const char* kPhaseOverheadPrefix = "phase_overhead_cycles_";

// The reduction the stacks' kernels use along a row: two-phase, near-optimal over the sizes a wafer has
// (Luczynski et al., HPDC'24); WaferLLM's K-tree lands within a few percent of it at its grids.
constexpr fabric::ReduceAlgorithm kReduce = fabric::ReduceAlgorithm::two_phase;

// The layout cache's key: a phase's shape and the chip's fabric facts, hashed bit for bit (FNV-1a over the doubles).
struct ShapeKeyHash {
  std::size_t operator()(const std::array<double, 16>& key) const {
    std::uint64_t h = 1469598103934665603ull;
    for (double v : key) {
      std::uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      h = (h ^ bits) * 1099511628211ull;
    }
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};

// How a phase's routed experts sit on its region: one per sub-region (WaferLLM's kernels, the fabric simulator), or
// interleaved (every core a slice of every expert). `faster` is for the layout search only.
enum class ExpertLayout { sub_regions, interleaved, faster };
struct PhaseLayout {
  double cores = 0;
  ExpertLayout experts = ExpertLayout::sub_regions;
};

// The most nearly square region of `cores` cores that fits the fabric.
fabric::Region region_of(const WaferFabric& f, double cores) {
  const int height = static_cast<int>(f.fabric_height_cores), width = static_cast<int>(f.fabric_width_cores);
  cores = std::clamp(cores, 1.0, static_cast<double>(height) * width);
  const int rows = std::clamp(static_cast<int>(std::lround(std::sqrt(cores))), 1, height);
  const int cols = std::clamp(static_cast<int>(std::ceil(cores / rows)), 1, width);
  return fabric::Region{rows, cols};
}

// MeshGEMM of T x K x N on the region's largest square, each shift step also paying the stack's step cost.
double gemm_cycles(const WaferFabric& f, fabric::Region g, double k, double n, double tokens, double weight_bytes,
                   double step_overhead_cycles) {
  const int p = std::min(g.rows, g.cols);
  return fabric::gemm_cycles(f, g, fabric::MatmulShape{tokens, k, n, weight_bytes}) + (p - 1) * step_overhead_cycles;
}

}  // namespace

std::vector<std::string> wafer_stacks(const DeviceConstants& constants) {
  std::vector<std::string> stacks;
  for (const auto& [key, value] : constants.values)
    if (key.rfind(kPhaseOverheadPrefix, 0) == 0) stacks.push_back(key.substr(std::string(kPhaseOverheadPrefix).size()));
  return stacks;
}

WaferDevice::WaferDevice(const DeviceConstants& c)
    : gemm_step_overhead_cycles_(c.get("gemm_step_overhead_cycles")),
      wafer_hop_latency_s_(c.get("wafer_hop_latency_s")),
      usable_memory_fraction_(c.get("usable_memory_fraction")) {
  for (const auto& stack : wafer_stacks(c)) {
    phase_overhead_cycles_[stack] = c.get(kPhaseOverheadPrefix + stack);
    if (auto it = c.values.find("prefill_gemv_max_tokens_" + stack); it != c.values.end())
      prefill_gemv_max_tokens_[stack] = it->second;
  }
}

double WaferDevice::phase_overhead_cycles(const std::string& stack) const {
  auto it = phase_overhead_cycles_.find(stack.empty() ? default_stack() : stack);
  if (it != phase_overhead_cycles_.end()) return it->second;
  std::string known;
  for (const auto& [name, cycles] : phase_overhead_cycles_) known += (known.empty() ? "" : ", ") + name;
  throw InputError("stack", fmt::format("unknown wafer software stack '{}' (calibrated: {})", stack, known));
}

double WaferDevice::prefill_gemv_max_tokens(const std::string& stack) const {
  auto it = prefill_gemv_max_tokens_.find(stack.empty() ? default_stack() : stack);
  return it == prefill_gemv_max_tokens_.end() ? std::numeric_limits<double>::infinity() : it->second;
}

double WaferDevice::step_overhead_s(const std::string& serving_stack) const {
  phase_overhead_cycles(serving_stack);
  return 0;
}

StepTime WaferDevice::stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                                 bool last_stage, const Hardware& hardware, const Parallelism& parallel) const {
  if (!hardware.chip.fabric)
    throw std::invalid_argument("chip '" + hardware.chip.name + "' is a wafer but has no [fabric] facts in the catalog");
  const WaferFabric& f = *hardware.chip.fabric;
  const double overhead_cycles = phase_overhead_cycles(work.serving_stack);
  const bool grid = parallel.grid_rows > 0;
  const fabric::Region grid_region{parallel.grid_rows, parallel.grid_cols};

  double resident = 0;
  for (int i = first_layer; i < last_layer; ++i) resident += work.layer(i).weight_bytes_resident();
  if (first_stage) resident += work.embedding.weight_bytes_resident;
  if (last_stage) resident += work.head.weight_bytes_resident;
  // The vendor's layout: every weight byte on its own core share; the SRAM left over holds the KV cache.
  const double bytes_per_core = std::max(resident / f.cores_enabled, 1.0);
  const double layers_here = std::max(1, last_layer - first_layer);
  auto region_for = [&](double cores) { return grid ? grid_region : region_of(f, cores); };
  // Decode streams its tokens through MeshGEMVs. Prefill takes the faster of that and a MeshGEMM (each shift step
  // paying the step cost), except where the stack runs MeshGEMM beyond a chunk length (WaferLLM: always).
  const double gemv_max_tokens = prefill_gemv_max_tokens(work.serving_stack);
  auto matmul_cycles = [&](const WaferFabric& fab, fabric::Region g, double k, double n, double tokens, double weight_bytes,
                           bool prefill) {
    const double stream = fabric::gemv_stream_cycles(fab, kReduce, g, fabric::GemvShape{k, n, weight_bytes}, tokens,
                                                     work.activation_bytes_per_element);
    if (!prefill) return stream;
    const double mesh_gemm = gemm_cycles(fab, g, k, n, tokens, weight_bytes, gemm_step_overhead_cycles_);
    return tokens > gemv_max_tokens ? mesh_gemm : std::min(stream, mesh_gemm);
  };

  std::vector<std::pair<const PhaseWork*, PhaseLayout>> layouts_this_call;  // phase -> its layout
  // Cycles of one phase over `tokens` tokens (a sub-chunk of the step's).
  auto phase_cycles = [&](const PhaseWork& p, double tokens) {
    if (p.attention_kernel) {
      fabric::AttentionShape a;
      a.heads = static_cast<int>(p.attention_heads);
      a.kv_heads = static_cast<int>(std::max(1.0, p.kv_heads));
      a.head_dim = static_cast<int>(std::max(p.qk_head_dim, p.v_head_dim));
      // Every token of the sub-chunk attends over its own sequence's positions: the region scores them all.
      a.context_tokens = std::max(1.0, p.attended_tokens * tokens);
      a.element_bytes = p.kv_element_bytes > 0 ? p.kv_element_bytes : 2.0;
      // The queries are gathered at each KV head's band before it, the heads' outputs spread after it.
      const double qkv_columns = (a.heads + a.kv_heads) * p.qk_head_dim + a.kv_heads * p.v_head_dim;
      const double kv_bytes = a.context_tokens * a.kv_heads * (p.qk_head_dim + p.v_head_dim) * a.element_bytes;
      auto on = [&](fabric::Region g, const fabric::AttentionShape& shape) {
        double cycles = fabric::attention_gather_cycles(f, g, shape, qkv_columns) +
                        fabric::attention_cycles(f, kReduce, g, shape) + fabric::attention_spread_cycles(f, g, shape);
        if (const auto& dram = hardware.chip.bonded_memory) {
          // The KV lives in the bonded DRAM under the region: its share of the tier's bandwidth streams it up
          // while the cores score, after the first read's latency.
          const double region_bandwidth = dram->bandwidth_bytes_per_s * g.cores() / f.cores_enabled;
          cycles = std::max(cycles, kv_bytes / region_bandwidth * f.clock_hz) + dram->latency_s * f.clock_hz;
        }
        return cycles;
      };
      const fabric::Region g = region_for(f.cores_enabled / layers_here);
      double best = on(g, a);
      if (grid || hardware.chip.bonded_memory) return best;
      // The vendor's layout may give each KV head several bands, each scoring a group of its query heads over its
      // own copy of that head's KV: the query broadcast and the partials reduced per band shrink with the group
      // (MLA's one latent shared by 128 heads otherwise moves 128 x 576 query values over one band per layer).
      // Only while the copies fit the SRAM the region's weights leave.
      const double kv_room = g.cores() * std::max(0.0, f.sram_bytes_per_core - bytes_per_core);
      for (int copies = 2; a.heads % (a.kv_heads * copies) == 0 && kv_bytes * copies <= kv_room; copies *= 2) {
        fabric::AttentionShape split = a;
        split.kv_heads = a.kv_heads * copies;
        best = std::min(best, on(g, split));
      }
      return best;
    }
    if (p.weight_bytes_resident <= 0) return 0.0;
    double params = 0;
    for (const auto& gemm : p.gemms)
      if (gemm.count > 0) params += gemm.columns * gemm.depth * (gemm.experts ? std::max(p.experts, gemm.count) : gemm.count);
    // The cycles of the phase over `tokens` tokens on a region of `cores` cores (prefill: with the prefill kernels),
    // its routed experts laid out as `experts` says.
    auto on_region = [&](double cores, double tokens, bool prefill, ExpertLayout experts) {
      const double scale = tokens / std::max(work.tokens, 1.0);
      const fabric::Region g = region_for(cores);
      if (params <= 0)  // a lookup (embedding): the rows read cross the region once
        return fabric::broadcast_cycles(f, g, tokens * work.hidden_size * work.activation_bytes_per_element);
      const double weight_bytes = p.weight_bytes_resident / params;
      double slowest = 0;
      for (const auto& gemm : p.gemms) {
        if (gemm.count <= 0) continue;
        const double rows = gemm.rows * scale;
        double cycles = 0;
        if (gemm.experts && p.experts > 0) {
          // Sub-regions (WaferLLM's kernels, the fabric simulator): each routed expert sits on its share of the
          // region; the tokens cross the region to reach theirs, and the experts hit work side by side, each on
          // the tokens routed to it.
          auto sub_regions = [&](double tokens_here, double rows_here, bool prefill_here) {
            const double touched = std::max(1.0, p.experts_touched > 0 && tokens_here < work.tokens
                                                      ? expected_experts_touched(p.experts, p.experts_per_token, tokens_here)
                                                      : gemm.count);
            const fabric::Region expert = region_of(f, g.cores() / p.experts);
            const double per_expert = std::max(1.0, rows_here * gemm.count / touched);
            return fabric::broadcast_cycles(f, g, tokens_here * gemm.depth * work.activation_bytes_per_element) +
                   matmul_cycles(f, expert, gemm.depth, gemm.columns, per_expert, weight_bytes, prefill_here);
          };
          // Interleaved (the vendor's layout may choose it): every core holds a slice of every expert, so each
          // token's k experts run on the whole region, as one GEMV of k x the expert's columns.
          auto interleaved = [&](double tokens_here, bool prefill_here) {
            return matmul_cycles(f, g, gemm.depth, gemm.columns * p.experts_per_token, tokens_here, weight_bytes,
                                 prefill_here);
          };
          switch (experts) {
            case ExpertLayout::sub_regions: cycles = sub_regions(tokens, rows, prefill); break;
            case ExpertLayout::interleaved: cycles = interleaved(tokens, prefill); break;
            case ExpertLayout::faster: cycles = std::min(sub_regions(tokens, rows, prefill), interleaved(tokens, prefill)); break;
          }
        } else {
          const fabric::Region shared = gemm.count > 1 ? region_of(f, g.cores() / gemm.count) : g;
          cycles = matmul_cycles(f, shared, gemm.depth, gemm.columns, rows, weight_bytes, prefill);
        }
        slowest = std::max(slowest, cycles);  // a phase's shapes (routed and shared experts) run side by side
      }
      return slowest;
    };
    if (grid) return on_region(grid_region.cores(), tokens, work.prefill, ExpertLayout::sub_regions);
    // The vendor's layout, fixed when the model is compiled: each phase's weights spread over the region that decodes
    // one token through it fastest, from the fewest cores that hold them to the whole wafer (more cores: smaller
    // tiles, longer broadcasts and reductions; each core holds slices of several phases). Sizes doubling from the
    // fewest. The choice depends only on the phase's shape and the chip (never on the batch or the step's kind), so it
    // is remembered per shape: sweeps meet the same phases millions of times.
    // Each pass below asks again for the same phases: their layouts are kept for this call by address first.
    for (const auto& [phase, chosen] : layouts_this_call)
      if (phase == &p) return on_region(chosen.cores, tokens, work.prefill, chosen.experts);
    const std::array<double, 16> key = {f.cores_enabled, f.hop_latency_cycles, f.ramp_latency_cycles,
                                        f.link_bytes_per_cycle, f.sram_read_bytes_per_cycle, f.sram_bytes_per_core,
                                        f.core_op_latency_cycles, f.fp16_macs_per_cycle, p.weight_bytes_resident,
                                        p.experts, p.experts_per_token, p.gemms[0].columns, p.gemms[0].depth,
                                        p.gemms[1].columns, p.gemms[1].depth, work.hidden_size};
    thread_local std::unordered_map<std::array<double, 16>, PhaseLayout, ShapeKeyHash> layout;
    auto it = layout.find(key);
    if (it == layout.end()) {
      // One token of the step: `tokens` counts the step's tokens, so 1 gives every GEMM one row (each routed expert
      // one token). Routed experts: interleaved over the region or one per sub-region, whichever runs it faster.
      const double fewest = std::max(1.0, p.weight_bytes_resident / f.sram_bytes_per_core);
      double best_cores = fewest, best = on_region(fewest, 1, false, ExpertLayout::faster);
      for (double cores = 2 * fewest; cores < f.cores_enabled * 2; cores *= 2) {
        const double c = std::min(cores, f.cores_enabled), cycles = on_region(c, 1, false, ExpertLayout::faster);
        if (cycles < best) { best = cycles; best_cores = c; }
      }
      const ExpertLayout experts =
          on_region(best_cores, 1, false, ExpertLayout::interleaved) < on_region(best_cores, 1, false, ExpertLayout::sub_regions)
              ? ExpertLayout::interleaved
              : ExpertLayout::sub_regions;
      if (layout.size() > 100000) layout.clear();  // bounded: a catalog sweep meets a few thousand shapes
      it = layout.emplace(key, PhaseLayout{best_cores, experts}).first;
    }
    layouts_this_call.emplace_back(&p, it->second);
    return on_region(it->second.cores, tokens, work.prefill, it->second.experts);
  };

  // Every layer's weights stay in their own region, so the tokens of a step (a batch of sequences, drafted
  // tokens being verified, a prefill chunk) stream through the wafer's layers in sub-chunks: while layer i
  // works on one sub-chunk, layer i-1 works on the next. A stage then takes one pass of the first sub-chunk
  // plus one slowest layer per further sub-chunk. The sub-chunk size that minimises that is used. On a grid
  // (one layer at a time on the same cores) there is no such overlap.
  auto pass = [&](double sub_tokens) {
    StepTime t;
    t.record_terms = work.record_terms;
    double slowest_layer = 0;
    auto phase_time = [&](const PhaseWork& p, int layer, StepTime& into) {
      auto label = [&p, layer] { return layer < 0 ? p.name : fmt::format("layer {} {}", layer, p.name); };
      const double cycles = phase_cycles(p, sub_tokens);
      if (cycles <= 0) return;
      into.add(label, p.attention_kernel ? bound::memory_bandwidth : bound::fabric_latency, cycles / f.clock_hz);
      into.add([&] { return label() + " software"; }, bound::overhead, overhead_cycles / f.clock_hz);
    };
    StepTime layer;
    for (int i = first_layer; i < last_layer; ++i) {
      // A layer with the same work as the one before takes the same time (reused when terms are not named).
      if (t.record_terms || i == first_layer || !work.layers[i].repeats_previous) {
        layer = StepTime{};
        layer.record_terms = t.record_terms;
        for (const auto& phase : work.layer(i).phases) phase_time(phase, i, layer);
      }
      slowest_layer = std::max(slowest_layer, layer.seconds);
      t.append(layer);
    }
    if (first_stage) phase_time(work.embedding, -1, t);
    if (last_stage) {
      phase_time(work.head, -1, t);
      // Sampling: an argmax reduction over the head's region.
      const fabric::Region head = region_for(work.head.weight_bytes_resident / bytes_per_core);
      t.add("sampling reduction", bound::fabric_latency,
            (fabric::reduce_cycles(f, kReduce, head, 8.0 * sub_tokens) + overhead_cycles) / f.clock_hz);
    }
    const double more = std::ceil(work.tokens / sub_tokens) - 1;
    if (more > 0)
      t.add([&] { return fmt::format("{:.0f} more sub-chunks of {:.0f} tokens through the slowest layer", more, sub_tokens); },
            bound::compute, more * slowest_layer);
    return t;
  };
  StepTime best = pass(std::max(work.tokens, 1.0));
  if (!grid)
    for (double sub = 1; sub < work.tokens; sub *= 4) {
      StepTime candidate = pass(sub);
      if (candidate.seconds < best.seconds) best = std::move(candidate);
    }
  return best;
}

LayerAgreement compare_layer_with_fabric(const DeviceConstants& constants, const Hardware& hardware, const ModelSpec& model,
                                         const WeightFormat& weights, const Precision& kv, int rows, int cols,
                                         double context_tokens) {
  if (!hardware.chip.fabric) throw InputError("hardware", "'" + hardware.chip.name + "' has no fabric facts");
  DeviceConstants physics = constants;
  for (auto& [key, value] : physics.values)
    if (key.rfind(kPhaseOverheadPrefix, 0) == 0) value = 0;
  const WaferDevice device(physics);
  StepWork work = decode_work(model, weights, kv, 1, context_tokens, true);
  work.record_terms = false;
  Parallelism grid;
  grid.grid_rows = rows;
  grid.grid_cols = cols;
  LayerAgreement a;
  a.analytic_s = device.stage_time(work, 0, 1, false, false, hardware, grid).seconds;
  const fabric::Mesh mesh(*hardware.chip.fabric, fabric::Region{rows, cols});
  a.simulated_s = fabric::layer_kernel(mesh, model, context_tokens, 1, kReduce).simulated_s;
  return a;
}

StepTime WaferDevice::stage_hop_time(double activation_bytes, const Hardware& hardware) const {
  StepTime t;
  const double link = hardware.chip.link_bytes_per_s(true);
  t.add("wafer hop", bound::off_chip_io, wafer_hop_latency_s_ + activation_bytes / link);
  return t;
}

}  // namespace ws
