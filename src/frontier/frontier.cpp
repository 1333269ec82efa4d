#include "frontier/frontier.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <unistd.h>

#include "core/error.h"
#include "econ/tco.h"
#include "perf/disaggregation.h"
#include "placement/deploy.h"

namespace ws {
namespace fs = std::filesystem;

Normalizer parse_normalizer(const std::string& text) {
  const std::string t = to_lower(text);
  if (t == "device") return Normalizer::device;
  if (t == "system") return Normalizer::system;
  if (t == "usd_hour") return Normalizer::usd_hour;
  if (t == "mw") return Normalizer::mw;
  if (t == "usd_per_mtok") return Normalizer::usd_per_mtok;
  throw InputError("--normalize", "expected device, system, usd_hour, mw or usd_per_mtok; got '" + text + "'");
}

std::string to_string(Normalizer n) {
  switch (n) {
    case Normalizer::device: return "device";
    case Normalizer::system: return "system";
    case Normalizer::usd_hour: return "usd_hour";
    case Normalizer::mw: return "mw";
    case Normalizer::usd_per_mtok: return "usd_per_mtok";
  }
  return "device";
}

std::string normalizer_unit(Normalizer n) {
  switch (n) {
    case Normalizer::device: return "tok/s per device";
    case Normalizer::system: return "tok/s per system";
    case Normalizer::usd_hour: return "tok/s per USD/hour of TCO";
    case Normalizer::mw: return "tok/s per MW (all-in)";
    case Normalizer::usd_per_mtok: return "USD per million output tokens, at TCO";
  }
  return "";
}

double normalizer_value(const Catalog& catalog, const Hardware& hardware, int devices, Normalizer normalize) {
  const double systems = static_cast<double>(devices) / hardware.system.chip_count;
  switch (normalize) {
    case Normalizer::device: return devices;
    case Normalizer::system: return systems;
    case Normalizer::usd_hour:
    case Normalizer::usd_per_mtok: {
      const Tco tco = compute_tco(catalog.economics_for(hardware.system.name, "--normalize usd_hour"), hardware);
      return systems * tco.tco_per_hour_usd;
    }
    case Normalizer::mw: {
      double watts_per_system = 0;
      for (const auto& e : catalog.economics)
        if (e.system_name == hardware.system.name) watts_per_system = e.all_in_power_w;
      if (watts_per_system == 0 && hardware.system.power_w) watts_per_system = *hardware.system.power_w;
      if (watts_per_system == 0 && hardware.chip.power_w) watts_per_system = *hardware.chip.power_w * hardware.system.chip_count;
      if (watts_per_system == 0)
        throw InputError("--normalize mw", "no power figure for '" + hardware.system.name + "' in the catalog");
      return systems * watts_per_system / 1e6;
    }
  }
  return devices;
}

namespace {

struct Plan {
  std::optional<int> tp, pp, ep;
  bool attention_dp = false;
};

std::vector<Plan> parallelism_plans(const ModelSpec& model, const Hardware& hardware, double weight_bytes,
                                    double usable_fraction) {
  std::vector<Plan> plans;
  const double capacity = hardware.chip.main_memory.capacity_bytes * usable_fraction;
  const int min_devices = std::max(1, static_cast<int>(std::ceil(weight_bytes / capacity)));
  const int layers = model.num_decoder_layers();
  if (hardware.chip.device_class == "wafer") {
    std::set<int> stages;
    for (double factor : {1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0})
      stages.insert(std::min(layers, static_cast<int>(std::ceil(min_devices * factor))));
    for (int pp : stages) plans.push_back(Plan{1, pp, std::nullopt});
    return plans;
  }
  if (hardware.chip.device_class == "sram_lpu") {
    // The engine places LPUs itself (a layer split over a chip group, groups pipelined; perf/engine.cpp), sized
    // for each concurrency's KV as well as the weights.
    plans.push_back(Plan{std::nullopt, std::nullopt, std::nullopt});
  }
  const int heads = model.attention.heads;
  const int per_system = hardware.system.chip_count;
  for (int tp = 1; tp <= std::max(per_system, 1); tp *= 2) {
    if (heads % tp != 0) continue;
    const int pp_needed = std::max(1, (min_devices + tp - 1) / tp);
    if (pp_needed > layers) continue;
    for (int pp : {pp_needed, pp_needed * 2}) {
      if (pp > layers || (pp > 1 && tp < std::min(per_system, 8) && pp == pp_needed * 2)) continue;
      plans.push_back(Plan{tp, pp, std::nullopt});
      if (model.is_moe() && tp > 1) plans.push_back(Plan{tp, pp, tp});
    }
  }
  // Multi-node TP, as the measured frontiers run models too large for one node (DeepSeek-R1 on H100: TP 16 over
  // two 8-GPU nodes): the group spans the fewest systems that hold the weights, its collectives over scale-out.
  if (hardware.chip.device_class == "hbm_gpu" && per_system > 1 && min_devices > per_system) {
    int tp = per_system;
    while (tp < min_devices) tp *= 2;
    if (heads % tp == 0) {
      plans.push_back(Plan{tp, 1, std::nullopt});
      if (model.is_moe()) plans.push_back(Plan{tp, 1, tp});
    }
  }
  // Wide expert parallelism, as the measured MoE frontiers run it: attention data-parallel on every GPU, the
  // experts spread over all of them (a whole NVL72 domain, or several 8-GPU nodes over the scale-out network).
  if (model.is_moe() && hardware.chip.device_class == "hbm_gpu") {
    std::set<int> widths;
    for (int width : {8, 16, 32, 64, per_system})
      if (width >= std::max(2, min_devices) && width <= std::max(per_system, 64)) widths.insert(width);
    for (int width : widths) plans.push_back(Plan{width, 1, width, true});
  }
  return plans;
}

}  // namespace

std::vector<FrontierPoint> sweep(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware,
                                 const FrontierRequest& request) {
  const Catalog& catalog = engine.catalog();
  PerfRequest base;
  base.isl = request.isl;
  base.osl = request.osl;
  base.serving_stack = request.serving_stack;
  base.weights = weight_format(model, request.weight_dtype, catalog.precisions, "--weight-dtype");
  base.kv = catalog.precisions.get(request.kv_dtype, "--kv-dtype");
  base.honor_windows = request.honor_windows;
  base.record_terms = false;
  const double usable = engine.device_class(hardware.chip.device_class).usable_memory_fraction();
  std::vector<FrontierPoint> points;
  std::vector<SpecDecode> specs = {SpecDecode{}};
  if (request.spec.method == "mtp" && model.mtp_modules() > 0) specs.push_back(request.spec);
  auto add_point = [&](FrontierPoint p) {
    p.total_tokens_per_s = p.output_tokens_per_s * (request.isl + request.osl) / request.osl;
    p.normalizer_value = normalizer_value(catalog, hardware, p.devices, request.normalize);
    if (request.normalize == Normalizer::usd_per_mtok) {  // cost: USD/h of the devices over tokens per hour
      p.output_tokens_per_s_per_norm = p.normalizer_value / 3600.0 / p.output_tokens_per_s * 1e6;
      p.total_tokens_per_s_per_norm = p.normalizer_value / 3600.0 / p.total_tokens_per_s * 1e6;
    } else {
      p.output_tokens_per_s_per_norm = p.output_tokens_per_s / p.normalizer_value;
      p.total_tokens_per_s_per_norm = p.total_tokens_per_s / p.normalizer_value;
    }
    points.push_back(std::move(p));
  };
  // Disaggregated points: HBM GPUs, as InferenceX measures them. One prefill worker (the fewest devices that hold
  // the model, one prompt at a time), priced once per sweep.
  const bool disaggregate = request.disaggregated && hardware.chip.device_class == "hbm_gpu";
  std::optional<PerfResult> prefill_result;
  auto prefill_worker = [&]() -> const PerfResult& {
    if (!prefill_result) prefill_result = engine.run(model, hardware, prefill_worker_request(base));
    return *prefill_result;
  };
  for (const Plan& plan : parallelism_plans(model, hardware, weight_bytes(model, base.weights), usable))
  for (const SpecDecode& spec : specs) {
    for (double c = 1; c <= request.max_concurrency; c *= 2) {
      PerfRequest r = base;
      r.spec = spec;
      r.concurrency = c;
      r.tp = plan.tp;
      r.pp = plan.pp;
      r.ep = plan.ep;
      r.attention_dp = plan.attention_dp;
      PerfResult result;
      try {
        result = engine.run(model, hardware, r);
      } catch (const InfeasibleError&) {
        break;  // memory ran out: larger concurrency will not fit either
      }
      FrontierPoint p;
      p.model = model.name;
      p.hardware = hardware.system.name;
      p.devices = result.devices;
      p.tp = result.parallel.tp;
      p.pp = result.parallel.pp;
      p.ep = result.parallel.ep;
      p.attention_dp = result.parallel.attention_dp;
      p.spec_draft_tokens = result.spec_draft_tokens;
      p.concurrency = c;
      p.tokens_per_s_per_user = result.tokens_per_s_per_user;
      p.output_tokens_per_s = result.output_tokens_per_s;
      p.ttft_s = result.ttft_s;
      p.bound = result.bound;
      add_point(p);
      // Its disaggregated twin (GPU decode replicas, as the measured frontiers run Dynamo): same decode, no prefill
      // stalls, plus the prefill workers that keep up.
      if (disaggregate && result.parallel.pp == 1 && result.running_sequences >= c) {
        const BalancedPools pools = balance_prefill_pool(
            result, prefill_worker(), kv_handover_s(model, hardware, r, result, prefill_worker()));
        p.prefill_devices = pools.prefill_devices;
        p.devices = result.devices + pools.prefill_devices;
        p.tokens_per_s_per_user = pools.tokens_per_s_per_user;
        p.output_tokens_per_s = pools.output_tokens_per_s;
        p.ttft_s = pools.ttft_s;
        add_point(p);
      }
    }
  }
  mark_pareto(points, request.normalize == Normalizer::usd_per_mtok);
  return points;
}

void mark_pareto(std::vector<FrontierPoint>& points, bool lower_is_better) {
  // y better: more throughput per normalizer, or (costs) fewer USD per token.
  auto y_at_least = [&](double q, double p) { return lower_is_better ? q <= p : q >= p; };
  auto y_better = [&](double q, double p) { return lower_is_better ? q < p : q > p; };
  for (auto& p : points) {
    p.pareto = true;
    for (const auto& q : points) {
      if (q.model != p.model || q.hardware != p.hardware || &q == &p) continue;
      const bool at_least = q.tokens_per_s_per_user >= p.tokens_per_s_per_user &&
                            y_at_least(q.output_tokens_per_s_per_norm, p.output_tokens_per_s_per_norm);
      const bool better = q.tokens_per_s_per_user > p.tokens_per_s_per_user ||
                          y_better(q.output_tokens_per_s_per_norm, p.output_tokens_per_s_per_norm);
      if (at_least && better) { p.pareto = false; break; }
    }
  }
}

std::vector<FrontierPoint> sweep_all(const PerfEngine& engine, const std::vector<ModelSpec>& models,
                                     const std::vector<Hardware>& hardware, const FrontierRequest& request,
                                     const std::function<void(int, int)>& progress) {
  const int total = static_cast<int>(models.size() * hardware.size());
  std::vector<std::vector<FrontierPoint>> results(total);
  std::atomic<int> done{0};
  std::mutex progress_mutex;
  tbb::parallel_for(0, total, [&](int i) {
    const ModelSpec& m = models[i / hardware.size()];
    const Hardware& h = hardware[i % hardware.size()];
    results[i] = sweep(engine, m, h, request);
    const int finished = ++done;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(finished, total);
    }
  });
  std::vector<FrontierPoint> all;
  for (auto& r : results) all.insert(all.end(), r.begin(), r.end());
  return all;
}

}  // namespace ws
