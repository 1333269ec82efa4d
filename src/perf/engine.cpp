#include "perf/engine.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/error.h"
#include "fabric/mesh.h"
#include "perf/device_class_registry.h"
#include "placement/deploy.h"

namespace ws {

double expected_tokens_per_iteration(double a, int k) {
  if (k <= 0) return 1.0;
  if (a >= 1.0) return k + 1.0;
  return (1.0 - std::pow(a, k + 1)) / (1.0 - a);
}

namespace {

std::vector<std::pair<int, int>> split_layers_searched(const std::vector<double>& layer_bytes, double first_extra,
                                                       double last_extra, int stages) {
  const int n = static_cast<int>(layer_bytes.size());
  stages = std::clamp(stages, 1, std::max(1, n));
  if (stages == 1) return {{0, n}};  // one stage holds every layer (most GPU plans): no search
  double low = 0, high = first_extra + last_extra;
  for (double b : layer_bytes) { low = std::max(low, b); high += b; }
  // Binary search the smallest per-stage capacity that packs into `stages` groups. The groups pack_layers would
  // make are counted without building them (the search runs ~60 packs per plan, millions in a sweep).
  auto groups_at = [&](double capacity) {
    int count = 1;
    double filled = first_extra;
    bool empty = true;
    for (int i = 0; i < n; ++i) {
      const double need = layer_bytes[i] + (i == n - 1 ? last_extra : 0.0);
      if (filled + need > capacity) {
        if (empty || need > capacity) return -1;  // a layer alone does not fit
        ++count;
        filled = 0;
      }
      filled += need;
      empty = false;
    }
    return count;
  };
  for (int iteration = 0; iteration < 60; ++iteration) {
    const double mid = (low + high) / 2;
    const int count = groups_at(mid);
    if (count > 0 && count <= stages) high = mid;
    else low = mid;
  }
  auto shares = pack_layers(layer_bytes, first_extra, last_extra, high * (1 + 1e-12));
  // Use exactly `stages` groups: split the largest groups while some stage would be empty.
  std::vector<std::pair<int, int>> groups;
  for (const auto& s : shares) groups.emplace_back(s.first_layer, s.last_layer);
  while (static_cast<int>(groups.size()) < stages) {
    auto widest = std::max_element(groups.begin(), groups.end(),
                                   [](const auto& a, const auto& b) { return a.second - a.first < b.second - b.first; });
    if (widest->second - widest->first < 2) break;
    const int middle = (widest->first + widest->second) / 2;
    const auto right = std::make_pair(middle, widest->second);
    widest->second = middle;
    groups.insert(widest + 1, right);
  }
  return groups;
}

// The key of one split: every layer's bytes, the two extras and the stage count, compared exactly.
struct SplitKey {
  std::vector<double> values;
  bool operator==(const SplitKey&) const = default;
};
struct SplitKeyHash {
  std::size_t operator()(const SplitKey& k) const {
    std::size_t h = k.values.size();
    for (double v : k.values) h = h * 1000003u ^ std::hash<double>{}(v);
    return h;
  }
};

}  // namespace

std::vector<std::pair<int, int>> split_layers(const std::vector<double>& layer_bytes, double first_extra,
                                              double last_extra, int stages) {
  if (stages <= 1) return split_layers_searched(layer_bytes, first_extra, last_extra, stages);
  // A split depends on the model, its weight format and the stage count only, never on the batch: a sweep asks for
  // the same few thousand splits at every concurrency (its binary search was 12% of a catalog sweep). Per thread,
  // so no lock; bounded.
  SplitKey key{layer_bytes};
  key.values.push_back(first_extra);
  key.values.push_back(last_extra);
  key.values.push_back(stages);
  thread_local std::unordered_map<SplitKey, std::vector<std::pair<int, int>>, SplitKeyHash> splits;
  if (auto it = splits.find(key); it != splits.end()) return it->second;
  auto groups = split_layers_searched(layer_bytes, first_extra, last_extra, stages);
  if (splits.size() > 20000) splits.clear();
  splits.emplace(std::move(key), groups);
  return groups;
}

PerfEngine::PerfEngine(const Catalog& catalog) : catalog_(catalog) {
  const DeviceClassRegistry& registry = builtin_device_classes();
  for (const auto& constants : catalog.device_constants)
    classes_[constants.device_class] = registry.create(constants.device_class, constants);
}

const DeviceClass& PerfEngine::device_class(const std::string& name) const {
  auto it = classes_.find(name);
  if (it == classes_.end()) throw InputError("device_class", "no constants loaded for device class '" + name + "'");
  return *it->second;
}

namespace {

// --grid RxC: each layer runs in turn on one region of the wafer's cores (WaferLLM's deployment), which must hold
// that layer's weights and its share of the KV cache.
void set_grid(Parallelism& p, const ModelSpec& model, const Hardware& hardware, const PerfRequest& request,
              const PerfResult& r) {
  if (hardware.chip.device_class != "wafer" || !hardware.chip.fabric)
    throw InputError("grid", "a region of cores is a wafer deployment; '" + hardware.system.name + "' is not a wafer");
  const fabric::Region region{request.grid_rows, request.grid_cols};
  fabric::check_region(*hardware.chip.fabric, region, "grid");
  const double layers = model.num_decoder_layers();
  const double need = (r.weight_bytes + r.kv_bytes) / layers;
  const double room = region.cores() * hardware.chip.fabric->sram_bytes_per_core;
  if (need > room)
    throw InfeasibleError(fmt::format("one layer of {} ({:.2f} GB of weights and KV) does not fit {}x{} cores ({:.2f} GB "
                                      "of SRAM); use a larger --grid", model.name, need / 1e9, region.rows, region.cols,
                                      room / 1e9));
  p.grid_rows = region.rows;
  p.grid_cols = region.cols;
}

std::vector<int> divisors_of(int n, int limit) {
  std::vector<int> result;
  for (int d = 1; d <= std::min(n, limit); ++d)
    if (n % d == 0) result.push_back(d);
  return result;
}

std::string list(const std::vector<int>& values) {
  std::string text;
  for (int v : values) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}


// One draft step of the model's MTP module (DeepSeek V3: one decoder layer over [embedding; hidden], then the
// shared head) for every sequence of the batch: its kernels timed as the model's own on the last stage's devices,
// without the engine's per-iteration overhead or host work per token (the draft steps run inside the iteration, as
// SGLang's EAGLE loop and TRT-LLM's MTP loop do; the iteration pays both for the verified tokens).
double mtp_draft_step_s(const ModelSpec& model, const Hardware& hardware, const DeviceClass& device,
                        const PerfRequest& request, const Parallelism& parallel, double mean_context) {
  ModelSpec module = model;
  module.layers.clear();
  for (const auto& layer : model.layers)
    if (layer.multi_token_prediction) {
      module.layers.push_back(layer);
      module.layers.back().multi_token_prediction = false;
      break;
    }
  Parallelism last_stage = parallel;
  if (!parallel.stage_tp.empty()) last_stage.tp = parallel.stage_tp.back();
  last_stage.stage_tp.clear();
  last_stage.pp = 1;
  const StepTimer timer(module, hardware, device, request, last_stage, {{0, 1}});
  return timer.draft_s(request.concurrency, mean_context);
}

}  // namespace

StepTimer::StepTimer(const ModelSpec& model, const Hardware& hardware, const DeviceClass& device,
                     const PerfRequest& request, Parallelism parallel, std::vector<std::pair<int, int>> groups)
    : model_(model), hardware_(hardware), device_(&device), request_(request), parallel_(parallel),
      groups_(std::move(groups)), step_overhead_s_(device.step_overhead_s(request.serving_stack)),
      overhead_scale_(device.software_age_factor(request.software_age_years)) {
  step_overhead_s_ *= overhead_scale_;
}

int StepTimer::microbatches(double sequences) const {
  return static_cast<int>(std::max(1.0, std::min<double>(sequences, parallel_.pp)));
}

// A middle stage whose layers are as many as the stage before's, all of them copies of that stage's layers, on as
// many devices, takes that stage's time: deep wafer and LPU pipelines (tens of stages) price one stage, not all.
// Not when terms are named (their labels carry layer numbers).
bool StepTimer::repeats_previous_stage(const StepWork& work, int s) const {
  if (work.record_terms || s < 2 || s + 1 >= parallel_.pp) return false;
  const auto [first, last] = groups_[s];
  const auto [previous_first, previous_last] = groups_[s - 1];
  if (last - first != previous_last - previous_first) return false;
  if (!parallel_.stage_tp.empty() && parallel_.stage_tp[s] != parallel_.stage_tp[s - 1]) return false;
  for (int i = previous_first + 1; i < last; ++i)
    if (!work.layers[i].repeats_previous) return false;
  return true;
}

PipelineTime StepTimer::pipeline(const StepWork& work) const {
  PipelineTime pl;
  const int stages = parallel_.pp;
  double slowest = 0;
  for (int s = 0; s < stages; ++s) {
    Parallelism stage_parallel = parallel_;
    if (!parallel_.stage_tp.empty()) stage_parallel.tp = parallel_.stage_tp[s];
    if (repeats_previous_stage(work, s)) {
      pl.stages.push_back(pl.stages.back());  // the same layers' work on the same devices: the same time
    } else {
      pl.stages.push_back(device_->stage_time(work, groups_[s].first, groups_[s].second, s == 0, s == stages - 1,
                                              hardware_, stage_parallel));
    }
    // The engine's own work per iteration (scheduling, sampling, graph launch) runs once, ahead of stage 0.
    if (s == 0 && step_overhead_s_ > 0 && !work.draft)
      pl.stages.back().add([this] { return "engine iteration overhead (" + request_.serving_stack + ")"; },
                           bound::overhead, step_overhead_s_);
    pl.latency_s += pl.stages.back().seconds;
    slowest = std::max(slowest, pl.stages.back().seconds);
  }
  pl.hop = device_->stage_hop_time(work.tokens * model_.hidden_size * work.activation_bytes_per_element, hardware_);
  pl.latency_s += (stages - 1) * pl.hop.seconds;
  pl.round_s = slowest;
  return pl;
}

std::pair<double, PipelineTime> StepTimer::decode(double sequences, double mean_context, double tokens_per_sequence,
                                                  bool record_terms) const {
  const int m = microbatches(sequences);
  const StepWork work = for_this_request(decode_work(model_, request_.weights, request_.kv, sequences / m, mean_context,
                                                     request_.honor_windows, tokens_per_sequence),
                                         record_terms);
  PipelineTime pl = pipeline(work);
  // Each microbatch gets one step per max(its own trip through the pipeline, one round of all microbatches).
  const double step = std::max(pl.latency_s, m * pl.round_s + (m > 1 ? pl.hop.seconds : 0.0));
  return {step, std::move(pl)};
}

StepWork StepTimer::for_this_request(StepWork work, bool record_terms) const {
  work.record_terms = record_terms;
  work.serving_stack = request_.serving_stack;
  work.overhead_scale = overhead_scale_;
  return work;
}

double StepTimer::draft_s(double sequences, double mean_context) const {
  StepWork work = for_this_request(
      decode_work(model_, request_.weights, request_.kv, sequences, mean_context, request_.honor_windows, 1), false);
  work.draft = true;
  return pipeline(work).latency_s;
}

double StepTimer::prefill_s(double new_tokens, double past_tokens) const {
  // Remembered in the engine's memo, keyed by everything the time depends on.
  const WeightFormat& w = request_.weights;
  double shape = model_.vocab_size + 1e3 * model_.attention.heads + 1e5 * model_.attention.kv_heads + model_.attention.head_dim;
  for (const auto& layer : model_.layers)
    shape += layer.ffn.dense_intermediate + layer.ffn.experts * layer.ffn.expert_intermediate +
             layer.ffn.shared_intermediate + layer.window_tokens;
  const std::string key = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", overhead_scale_, model_.name, shape, model_.hidden_size,
      model_.num_decoder_layers(), hardware_.system.name, hardware_.chip.name, w.name, w.compute_class, w.attention,
      w.routed_experts, request_.kv.name, request_.serving_stack, request_.honor_windows, request_.prefill_chunk_tokens,
      parallel_.tp, parallel_.pp, parallel_.ep, parallel_.attention_dp, parallel_.grid_rows, parallel_.grid_cols,
      fmt::join(parallel_.stage_tp, ","), new_tokens, past_tokens);
  if (!memo_) return prefill_uncached_s(new_tokens, past_tokens);
  {
    std::lock_guard<std::mutex> lock(memo_->mutex);
    if (auto it = memo_->seconds.find(key); it != memo_->seconds.end()) return it->second;
  }
  const double total = prefill_uncached_s(new_tokens, past_tokens);
  std::lock_guard<std::mutex> lock(memo_->mutex);
  if (memo_->seconds.size() > 200000) memo_->seconds.clear();  // bounded
  memo_->seconds.emplace(key, total);
  return total;
}

double StepTimer::prefill_uncached_s(double new_tokens, double past_tokens) const {
  double total = 0;
  for (double done = 0; done < new_tokens; done += request_.prefill_chunk_tokens) {
    const double chunk = std::min(request_.prefill_chunk_tokens, new_tokens - done);
    // With several stages, a chunk flows through them in sub-chunks (stage s works on sub-chunk i while stage
    // s+1 works on i-1): one trip of the first sub-chunk, then one slowest stage per further sub-chunk.
    double best = std::numeric_limits<double>::infinity();
    for (double sub = chunk;; sub = std::ceil(sub / 4)) {
      const PipelineTime pl = pipeline(for_this_request(
          prefill_work(model_, request_.weights, request_.kv, sub, past_tokens + done, request_.honor_windows), false));
      const double more = std::ceil(chunk / sub) - 1;
      best = std::min(best, pl.latency_s + more * (pl.round_s + (parallel_.pp > 1 ? pl.hop.seconds : 0.0)));
      if (parallel_.pp == 1 || sub <= 64) break;
    }
    total += best;
  }
  return total;
}

// The request with its serving stack named: the device class's default where it names none.
static PerfRequest with_stack(const PerfRequest& request, const DeviceClass& device) {
  if (!request.serving_stack.empty()) return request;
  PerfRequest named = request;
  named.serving_stack = device.default_stack();
  return named;
}

StepTimer PerfEngine::step_timer(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request_in) const {
  const PerfRequest request = with_stack(request_in, device_class(hardware.chip.device_class));
  Plan planned = plan(model, hardware, request);
  StepTimer timer(model, hardware, device_class(hardware.chip.device_class), request, planned.parallel,
                  std::move(planned.groups));
  timer.remember_prefills_in(prefill_memo_.get());
  return timer;
}

PerfEngine::Plan PerfEngine::plan(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const {
  if (model.is_aggregate())
    throw InputError("model", "'" + model.name + "' is a published aggregate without a layer structure; perf needs a config.json");
  if (!(request.concurrency >= 1)) throw InputError("concurrency", "expected at least 1");
  if (!(request.isl >= 1) || !(request.osl >= 1)) throw InputError("isl/--osl", "expected at least 1 token each");
  const DeviceClass& device = device_class(hardware.chip.device_class);
  device.step_overhead_s(request.serving_stack);  // an unknown stack is an input error before any planning
  const std::string& cls = hardware.chip.device_class;
  const bool wafer = cls == "wafer";
  // SRAM chips of a few hundred MB hold a fraction of one layer: as Groq deploys them, each layer is split over
  // a group of chips (tensor parallel over the chip-to-chip links, any group size: the compiler spreads every
  // matrix over the group's chips, so heads need not divide evenly) and the groups are pipelined.
  const bool split_layers_freely = cls == "sram_lpu";

  PerfResult r;
  r.model = model.name;
  r.hardware = hardware.system.name;
  r.device_class = cls;
  r.serving_stack = request.serving_stack;
  r.concurrency = request.concurrency;
  r.running_sequences = request.concurrency;
  r.isl = request.isl;
  r.osl = request.osl;

  // Memory: weights plus every sequence's KV at its final length.
  const double context_final = request.isl + request.osl;
  // MTP modules are loaded only when they draft (speculative decoding by MTP).
  const bool load_mtp = request.spec.method == "mtp";
  r.weight_bytes = input_embedding_bytes(model, request.weights) +
                   (model.tied_embeddings ? 0.0 : output_head_bytes(model, request.weights));
  for (const auto& layer : model.layers)
    if (!layer.multi_token_prediction || load_mtp) r.weight_bytes += layer_weight_bytes(model, layer, request.weights);
  const double kv_per_sequence = kv_bytes_for_context(model, request.kv, context_final, request.honor_windows);
  r.kv_bytes = request.concurrency * kv_per_sequence;
  const double usable_per_device = hardware.chip.main_memory.capacity_bytes * device.usable_memory_fraction();
  // A bonded DRAM tier (roadmap designs) holds all the KV, the SRAM all the weights (the wafer device reads KV
  // from it: wafer_device.cpp).
  const double bonded_per_device = hardware.chip.bonded_memory ? hardware.chip.bonded_memory->capacity_bytes : 0.0;
  const int heads = model.attention.heads;
  const int layers = model.num_decoder_layers();

  // Parallelism.
  Parallelism p;
  if (request.ep) p.ep = *request.ep;
  auto devices_needed = [&](double bytes) { return static_cast<int>(std::ceil(bytes / usable_per_device)); };
  const int needed = bonded_per_device > 0
                         ? std::max({1, devices_needed(r.weight_bytes),
                                     static_cast<int>(std::ceil(r.kv_bytes / bonded_per_device))})
                         : std::max(1, devices_needed(r.weight_bytes + r.kv_bytes));
  if (wafer) {
    if (request.tp && *request.tp != 1)
      throw InputError("tp", "wafers run tensor parallelism inside the wafer only: the 150 GB/s off-wafer links "
                               "rule out TP across wafers; use --pp (or --devices)");
    p.tp = 1;
    p.pp = request.pp.value_or(request.devices.value_or(needed));
  } else {
    if (request.tp && request.pp) {
      p.tp = *request.tp;
      p.pp = *request.pp;
    } else if (request.tp) {
      p.tp = *request.tp;
      p.pp = request.devices ? std::max(1, *request.devices / p.tp) : std::max(1, (needed + p.tp - 1) / p.tp);
    } else if (split_layers_freely && !request.devices && !request.pp) {
      p.pp = std::min(layers, needed);
      p.tp = (needed + p.pp - 1) / p.pp;
    } else {
      const int total = request.devices.value_or(needed);
      p.pp = request.pp.value_or(1);
      // Smallest power-of-two TP that covers the devices and divides the heads.
      int tp = 1;
      while (tp * p.pp < total) tp *= 2;
      while (tp > 1 && heads % tp != 0) tp /= 2;
      p.tp = tp;
      if (p.tp * p.pp < total) p.pp = (total + p.tp - 1) / p.tp;
    }
    // Data-parallel attention keeps every head on every device: any TP width.
    if (p.tp < 1 || (heads % p.tp != 0 && !split_layers_freely && !request.attention_dp))
      throw InfeasibleError(fmt::format("TP {} does not divide the {} attention heads of {}; valid TP: {}", p.tp, heads,
                                        model.name, list(divisors_of(heads, 1 << 20))));
  }
  if (p.pp < 1 || p.pp > layers) {
    if (p.pp > layers && !request.pp && !request.devices) {
      const double per_stage_room = std::max(0.0, usable_per_device * p.tp - r.weight_bytes / layers);
      const double fits = std::floor(per_stage_room * layers / kv_per_sequence);
      throw InfeasibleError(fmt::format(
          "does not fit: weights + the KV of {} sequences need {} stages of {} but the model has only {} layers to "
          "cut on; at one layer per stage {} sequences fit (lower the concurrency)", request.concurrency, p.pp,
          hardware.chip.display_name, layers, fits));
    }
    throw InfeasibleError(fmt::format("PP {} is outside 1..{} (the model's layers)", p.pp, layers));
  }
  p.attention_dp = request.attention_dp;
  if (p.attention_dp && (wafer || split_layers_freely))
    throw InputError("attention_dp", "attention data parallelism is an HBM GPU deployment (wafers and LPUs split layers, not batches)");
  if (p.ep < 1 || p.ep > p.devices())
    throw InfeasibleError(fmt::format("EP {} is outside 1..{} (the devices in use)", p.ep, p.devices()));
  if (request.grid_rows > 0 || request.grid_cols > 0) set_grid(p, model, hardware, request, r);
  r.parallel = p;
  r.devices = p.devices();
  r.systems = static_cast<double>(r.devices) / hardware.system.chip_count;
  r.memory_capacity_bytes = r.devices * (usable_per_device + bonded_per_device);

  // Stages along layer boundaries.
  std::vector<double> layer_bytes;
  for (const auto& layer : model.layers)
    if (!layer.multi_token_prediction) layer_bytes.push_back(layer_weight_bytes(model, layer, request.weights));
  const double first_extra = input_embedding_bytes(model, request.weights);
  const double last_extra = output_head_bytes(model, request.weights);
  // Attention weights per layer: every device of a stage holds all of them under data-parallel attention.
  std::vector<double> attention_bytes;
  for (const auto& layer : model.layers)
    if (!layer.multi_token_prediction)
      attention_bytes.push_back(layer_params(model, layer).attention * request.weights.attention);
  // KV heads split over TP up to their number (MLA: one latent); a wider TP group stores copies, unless
  // attention is data-parallel (each device holds its own sequences' KV). LPUs spread every matrix freely.
  const double kv_heads = model.attention.kind == AttentionKind::mla ? 1.0 : model.attention.kv_heads;
  auto kv_copies = [&] {
    if (split_layers_freely || p.attention_dp) return 1.0;
    return p.tp / std::min<double>(p.tp, std::max(1.0, kv_heads));
  };
  std::vector<std::pair<int, int>> groups;
  double worst_excess = 0;
  int worst_stage = -1;
  // Per-stage memory: the stage's weights (attention replicated under data-parallel attention) plus its layers'
  // share of every sequence's KV (and its copies), over the stage's devices.
  auto stage_weight_bytes = [&](int s) {
    double weights = 0;
    for (int i = groups[s].first; i < groups[s].second; ++i)
      weights += layer_bytes[i] + (p.attention_dp ? (p.tp - 1) * attention_bytes[i] : 0.0);
    if (s == 0) weights += first_extra;
    if (s == p.pp - 1) weights += last_extra;
    return weights;
  };
  auto stage_kv_bytes = [&](int s) { return r.kv_bytes * kv_copies() * (groups[s].second - groups[s].first) / layers; };
  auto stage_bytes = [&](int s) { return stage_weight_bytes(s) + stage_kv_bytes(s); };
  auto check_stages = [&] {
    groups = split_layers(layer_bytes, first_extra, last_extra, p.pp);
    if (static_cast<int>(groups.size()) != p.pp)
      throw InfeasibleError(fmt::format("cannot cut {} layers into {} stages", layers, p.pp));
    worst_excess = 0;
    worst_stage = -1;
    for (int s = 0; s < p.pp; ++s) {
      const double excess = bonded_per_device > 0
                                ? std::max(stage_weight_bytes(s) - usable_per_device * p.tp,
                                           stage_kv_bytes(s) - bonded_per_device * p.tp)
                                : stage_bytes(s) - usable_per_device * p.tp;
      if (excess > worst_excess) { worst_excess = excess; worst_stage = s; }
    }
  };
  const bool stages_chosen_here = wafer ? !request.pp && !request.devices : !request.pp && !request.devices && !request.tp;
  if (split_layers_freely && stages_chosen_here) {
    // LPUs, as Groq deploys them: each stage is as many chips as its own weights need (the embedding and head
    // stages are wider), layers pipelined over the stages. Rounding each stage up to whole chips wastes less
    // with more layers per stage (two 1.7 GB layers on 15 chips, not one on 8): the plan is the most stages
    // whose chips stay within `stage_chip_slack` of the fewest any stage count needs.
    const double slack = catalog_.constants_for(cls).get("stage_chip_slack");
    std::vector<std::pair<int, std::vector<int>>> candidates;  // stage count, chips per stage
    int fewest = std::numeric_limits<int>::max();
    // Only the stage counts that change the layers per stage (ceil(layers / k) for k layers per stage): about
    // 2 sqrt(layers) candidates instead of every count.
    std::vector<int> stage_counts;
    for (int per_stage = layers; per_stage >= 1; --per_stage) {
      const int stages = (layers + per_stage - 1) / per_stage;
      if (stage_counts.empty() || stage_counts.back() != stages) stage_counts.push_back(stages);
    }
    for (int stages : stage_counts) {
      p.pp = stages;
      groups = split_layers(layer_bytes, first_extra, last_extra, stages);
      if (static_cast<int>(groups.size()) != stages) continue;
      std::vector<int> widths;
      int total = 0;
      for (int s = 0; s < stages; ++s) {
        widths.push_back(std::max(1, static_cast<int>(std::ceil(stage_bytes(s) / usable_per_device * (1 - 1e-12)))));
        total += widths.back();
      }
      fewest = std::min(fewest, total);
      candidates.emplace_back(stages, std::move(widths));
    }
    for (const auto& [stages, widths] : candidates) {
      int total = 0;
      for (int w : widths) total += w;
      if (total > fewest * (1 + slack)) continue;
      p.pp = stages;  // candidates ascend: the last one kept has the most stages
      p.stage_tp = widths;
      p.tp = *std::max_element(widths.begin(), widths.end());
    }
    groups = split_layers(layer_bytes, first_extra, last_extra, p.pp);
    worst_stage = -1;
  } else {
    check_stages();
  }
  // When the stage count was left to us, add stages until every stage fits (layers do not split evenly). LPU
  // plans chosen above fit by construction: each stage is as wide as it needs.
  while (worst_stage >= 0 && stages_chosen_here && p.pp < layers) {
    ++p.pp;
    check_stages();
  }
  r.parallel = p;
  r.devices = p.devices();
  r.systems = static_cast<double>(r.devices) / hardware.system.chip_count;
  r.memory_capacity_bytes = r.devices * (usable_per_device + bonded_per_device);
  if (worst_stage >= 0) {
    const double kv_room = bonded_per_device > 0 ? r.devices * bonded_per_device
                                                 : std::max(0.0, r.devices * usable_per_device - r.weight_bytes);
    const double fits = std::floor(kv_room / (kv_per_sequence * kv_copies()));
    throw InfeasibleError(fmt::format(
        "does not fit: {:.1f} GB of weights + {:.1f} GB of KV ({} sequences x {:.2f} GB at {:.0f} tokens) on {} x {} "
        "({:.1f} GB usable); stage {} is short by {:.1f} GB. Fits {} concurrent sequences here, or needs about {} "
        "devices (set devices, pp or tp)",
        r.weight_bytes / 1e9, r.kv_bytes / 1e9, request.concurrency, kv_per_sequence / 1e9, context_final,
        r.devices, hardware.chip.display_name, r.memory_capacity_bytes / 1e9, worst_stage, worst_excess / 1e9,
        fits >= 1 ? fmt::format("{:.0f}", fits) : std::string("no"), std::max(needed, r.devices + 1)));
  }

  return Plan{std::move(r), p, groups};
}

PerfResult PerfEngine::run(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request_in) const {
  const PerfRequest request = with_stack(request_in, device_class(hardware.chip.device_class));
  if (!request.queue_beyond_memory) return run_admitted(model, hardware, request);
  try {
    return run_admitted(model, hardware, request);
  } catch (const InfeasibleError&) {
    // More clients than KV room: the server runs the largest batch that fits and the others wait for a slot.
    double low = 0, high = request.concurrency;  // low fits (0: none known), high does not
    PerfResult best;
    while (high - low > 1) {
      const double mid = std::floor((low + high) / 2);
      PerfRequest trial = request;
      trial.concurrency = mid;
      trial.queue_beyond_memory = false;
      try {
        best = run_admitted(model, hardware, trial);
        low = mid;
      } catch (const InfeasibleError&) {
        high = mid;
      }
    }
    if (low < 1) throw;
    // Closed loop of C clients through `low` slots: each client waits C / low - 1 request times for a slot.
    const double request_time = best.ttft_s + (request.osl - 1) * best.tpot_s;
    best.queue_s += (request.concurrency / low - 1) * request_time;
    best.ttft_s += (request.concurrency / low - 1) * request_time;
    best.concurrency = request.concurrency;
    best.running_sequences = low;
    return best;
  }
}

PerfResult PerfEngine::run_admitted(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const {
  Plan planned = plan(model, hardware, request);
  PerfResult& r = planned.result;
  const Parallelism& p = planned.parallel;
  StepTimer timer(model, hardware, device_class(hardware.chip.device_class), request, p, planned.groups);
  timer.remember_prefills_in(prefill_memo_.get());

  // One decode iteration: M microbatches of B/M sequences flow through the P stages.
  const double context_mean = request.isl + request.osl / 2.0;
  r.microbatches = timer.microbatches(request.concurrency);
  auto decode_iteration = [&](double tokens_per_sequence) {
    return timer.decode(request.concurrency, context_mean, tokens_per_sequence, request.record_terms);
  };
  auto [decode_step, decode_pipeline] = decode_iteration(1);
  r.decode_latency_s = decode_pipeline.latency_s;
  r.stage_times = decode_pipeline.stages;
  r.critical_path.record_terms = request.record_terms;
  for (int s = 0; s < p.pp; ++s) {
    r.critical_path.append(decode_pipeline.stages[s], p.pp > 1 ? fmt::format("stage {}: ", s) : "");
    if (s + 1 < p.pp) r.critical_path.append(decode_pipeline.hop, fmt::format("stage {}->{}: ", s, s + 1));
  }
  if (decode_step > decode_pipeline.latency_s)
    r.critical_path.add("pipeline wait for other microbatches", bound::compute, decode_step - decode_pipeline.latency_s);

  // Speculative decoding. `vendor`: the stack's production drafting as catalog/speculative.toml states it (no
  // speculation on a model or stack it does not name); a k or acceptance the request gives is kept.
  double tpot_decode = decode_step;
  SpecDecode spec = request.spec;
  if (spec.method == "vendor") {
    spec.method = "none";
    for (const auto& v : catalog_.speculation) {
      if (v.stack != request.serving_stack || !v.drafts.count(model.name)) continue;
      spec.method = "draft";
      spec.draft_model = v.drafts.at(model.name);
      if (spec.draft_tokens == 0) spec.draft_tokens = v.draft_tokens;
      if (!spec.acceptance_given) spec.acceptance = v.acceptance;
    }
  }
  if (spec.method != "none") {
    double draft_step = 0;
    if (spec.method == "mtp") {
      if (model.mtp_modules() == 0) throw InputError("spec_decode", "'" + model.name + "' has no multi-token-prediction module (num_nextn_predict_layers)");
      draft_step = mtp_draft_step_s(model, hardware, device_class(hardware.chip.device_class), request, p, context_mean);
    } else if (spec.method == "draft") {
      const ModelSpec draft = catalog_.model(spec.draft_model, "spec_decode draft");
      PerfRequest draft_request = request;
      draft_request.spec = SpecDecode{};
      draft_request.devices.reset();
      draft_request.tp.reset();
      draft_request.pp.reset();
      draft_request.ep.reset();
      draft_request.weights = uniform_weight_format(catalog_.precisions.get("bf16", "spec_decode"));
      draft_step = run(draft, hardware, draft_request).decode_step_s;
    } else {
      throw InputError("spec_decode", "unknown method '" + spec.method + "' (expected none, draft, mtp, vendor)");
    }
    double best = decode_step;
    int best_k = 0;
    const int k_first = spec.draft_tokens > 0 ? spec.draft_tokens : 1;
    const int k_last = spec.draft_tokens > 0 ? spec.draft_tokens : 8;
    for (int k = k_first; k <= k_last; ++k) {
      const double verify = decode_iteration(k + 1).first;
      const double per_token = (k * draft_step + verify) / expected_tokens_per_iteration(spec.acceptance, k);
      if (per_token < best || spec.draft_tokens > 0) { best = per_token; best_k = k; }
    }
    if (best_k > 0) {
      r.spec_draft_tokens = best_k;
      r.spec_tokens_per_iteration = expected_tokens_per_iteration(spec.acceptance, best_k);
      r.critical_path.add(fmt::format("speculative decoding ({}): {} drafted, {:.2f} accepted per iteration",
                                      spec.method == "draft" ? spec.draft_model + " drafts" : spec.method, best_k,
                                      r.spec_tokens_per_iteration),
                          bound::compute, best - decode_step);
      tpot_decode = best;
    }
  }
  r.decode_step_s = decode_step;

  // Prefill of one prompt's new tokens, chunked and pipelined over the stages.
  if (request.prefix_cached_tokens < 0 || request.prefix_cached_tokens >= request.isl)
    throw InputError("prefix_cached_tokens", "must be in [0, isl)");
  const double prefill = timer.prefill_s(request.isl - request.prefix_cached_tokens, request.prefix_cached_tokens);
  r.prefill_s = prefill;
  r.prefix_cached_tokens = request.prefix_cached_tokens;
  // Closed loop at concurrency C: each request's prefill stalls the batch once per its osl output tokens.
  r.prefill_stall_per_token_s = (request.concurrency - 1) * prefill / request.osl;
  r.tpot_s = tpot_decode + r.prefill_stall_per_token_s;
  // Queueing for the prefill server (M/D/1 wait), arrival rate from the closed loop.
  double queue = 0;
  for (int i = 0; i < 30; ++i) {
    const double request_time = prefill + queue + tpot_decode + request.osl * r.tpot_s;
    const double utilization = std::min(0.95, (request.concurrency - 1) / request_time * prefill);
    queue = utilization * prefill / (2.0 * (1.0 - utilization));
  }
  r.queue_s = queue;
  const DeviceClass& device = device_class(hardware.chip.device_class);
  r.request_overhead_s =
      device.request_overhead_s(request.serving_stack) * device.software_age_factor(request.software_age_years);
  r.ttft_s = r.request_overhead_s + prefill + queue + tpot_decode;
  r.tokens_per_s_per_user = 1.0 / r.tpot_s;
  r.tokens_per_s_per_user_without_speculation = 1.0 / (decode_step + r.prefill_stall_per_token_s);
  const double request_time = r.ttft_s + (request.osl - 1) * r.tpot_s;
  r.output_tokens_per_s = request.concurrency * request.osl / request_time;
  r.output_tokens_per_s_per_device = r.output_tokens_per_s / r.devices;
  r.total_tokens_per_s_per_device = request.concurrency * (request.isl + request.osl) / request_time / r.devices;
  r.bound = r.critical_path.bound();
  return r;
}

}  // namespace ws
