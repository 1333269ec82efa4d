#pragma once
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "perf/engine.h"

namespace ws {

// What throughput is divided by on the frontier's y axis.
// usd_per_mtok turns the y axis into cost: USD per million output tokens at the system's TCO (lower is better).
enum class Normalizer { device, system, usd_hour, mw, usd_per_mtok };
Normalizer parse_normalizer(const std::string& text);  // throws InputError naming --normalize
std::string to_string(Normalizer normalizer);
std::string normalizer_unit(Normalizer normalizer);  // "tok/s per device", ...

struct FrontierPoint {
  std::string model;
  std::string hardware;
  int devices = 0;          // every device the point occupies (a disaggregated point's prefill pool too)
  int prefill_devices = 0;  // prefill/decode disaggregated: the prefill pool's devices (0: co-located)
  int tp = 1, pp = 1, ep = 1;
  bool attention_dp = false;  // attention data-parallel over the TP group (wide EP)
  int spec_draft_tokens = 0;  // MTP tokens drafted per step (0: no speculative decoding)
  double concurrency = 0;
  double tokens_per_s_per_user = 0;
  double output_tokens_per_s = 0;
  double total_tokens_per_s = 0;
  double normalizer_value = 0;  // devices, systems, USD/h or MW this point occupies
  double output_tokens_per_s_per_norm = 0;
  double total_tokens_per_s_per_norm = 0;
  double ttft_s = 0;
  std::string bound;
  bool pareto = false;
};

struct FrontierRequest {
  double isl = 1024, osl = 1024;
  Normalizer normalize = Normalizer::device;
  std::string weight_dtype = "checkpoint";
  std::string kv_dtype = "bf16";
  bool honor_windows = true;
  int max_concurrency = 4096;
  std::string serving_stack;  // whose fitted constants apply (empty: each device class's default)
  // "mtp": every point of a model with an MTP module is also swept with MTP drafting (the engine picks the
  // draft length); the Pareto marking keeps whichever is better. "none": no speculative decoding.
  SpecDecode spec;
  // HBM GPUs: also the disaggregated twin of every single-stage point (balanced prefill pool; perf/disaggregation.h).
  bool disaggregated = true;
};

// Cost of the normalizer for `devices` chips of `hardware` (1 device, devices/chips per system, USD per hour
// of TCO, MW of all-in power). Throws InputError when the catalog lacks the figure (no economics, no power).
double normalizer_value(const Catalog& catalog, const Hardware& hardware, int devices, Normalizer normalize);

// Sweeps concurrency (1, 2, 4, ... until memory runs out) and parallelism choices for one model on one
// hardware; returns every feasible point, the Pareto-optimal ones marked.
std::vector<FrontierPoint> sweep(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware,
                                 const FrontierRequest& request);

// Marks points not dominated in (tokens/s/user, output tokens/s per normalizer), per model and hardware;
// with lower_is_better the y value is a cost to minimise.
void mark_pareto(std::vector<FrontierPoint>& points, bool lower_is_better = false);

// Sweeps every (model, hardware) pair, in parallel (oneTBB); `progress` is called after each pair.
std::vector<FrontierPoint> sweep_all(const PerfEngine& engine, const std::vector<ModelSpec>& models,
                                     const std::vector<Hardware>& hardware, const FrontierRequest& request,
                                     const std::function<void(int done, int total)>& progress = {});

}  // namespace ws
