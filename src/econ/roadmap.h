#pragma once
// The wafer's roadmap as what-ifs: each design of catalog/roadmap.toml (derived into catalog hardware when the
// catalog loads) run through the same placement, speed and TCO models as any catalog system.
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "perf/engine.h"

namespace ws {

struct RoadmapRequest {
  std::vector<std::string> presets;  // design names; empty = every design
  PerfRequest perf;                  // concurrency, isl/osl (the context), precisions, stack
  std::vector<double> feasibility_contexts;  // tokens per sequence for the systems-needed table
  double feasibility_concurrency = 64;
};

struct RoadmapRow {
  std::string preset, display_name, hardware, node;
  bool derived = false;               // scaled from a reference (false: a catalog chip as published)
  double sram_bytes = 0;              // per chip
  double bonded_memory_bytes = 0;     // per chip, 0 = none
  double sram_bandwidth_bytes_per_s = 0;
  double dense_flops_per_s = 0;       // fp16 class (fp8 where only that is given)
  double io_bytes_per_s = 0;          // off-chip, unidirectional
  double systems = 0;                 // for the model at the context and concurrency (NaN: does not fit)
  double tokens_per_s_per_user = 0;
  double output_tokens_per_s = 0;
  double usd_per_mtok = 0;            // TCO per hour x systems in use (a fraction of a rack on LPUs) / output tokens; NaN: no TCO inputs
  std::string bound;
  std::string note;                   // why a figure is missing
};

// Tensor parallelism across the N wafers a model needs, against pipelining it over them. Per token at batch 1:
//   PP: T + (N - 1) (h + a / B)                            T = the in-wafer time, h = hop latency, a = activation bytes
//   TP: T / N + 2 L x 2 (N - 1) (h + a / (N B))            two ring all-reduces per layer, and (optimistic for TP) an
//                                                           N-fold faster in-wafer time
// TP wins at off-wafer bandwidth B > a (N - 1) (4L / N - 1) / (T (1 - 1/N) + (N - 1) h (1 - 4L)), or never when the
// denominator is not positive: then per-hop latency, not bandwidth, decides, and TP needs h < T (1 - 1/N) / ((N - 1)(4L - 1)).
struct TensorVsPipeline {
  std::string preset;
  int wafers = 0;
  int layers = 0;
  double in_wafer_s = 0;                // T
  double hop_latency_s = 0;             // h
  double activation_bytes = 0;          // a
  double io_bytes_per_s = 0;            // the design's B
  double pipeline_token_s = 0;          // at the design's B
  double tensor_token_s = 0;            // at the design's B
  double crossover_bytes_per_s = 0;     // NaN: never at this hop latency; 0: TP wins at any bandwidth
  double max_hop_latency_for_tp_s = 0;  // NaN when N = 1
  std::string verdict;
};

struct FeasibilityShift {
  std::string preset;
  double context_tokens = 0;
  double concurrency = 0;
  int systems = 0;
  double kv_share_of_memory = 0;
};

struct RoadmapResult {
  std::vector<RoadmapRow> rows;
  std::vector<TensorVsPipeline> tensor_vs_pipeline;  // wafer designs only
  std::vector<FeasibilityShift> feasibility;         // wafer designs only
  std::vector<std::string> assumptions;              // every design's source and figure sources
};

RoadmapResult run_roadmap(const PerfEngine& engine, const Catalog& catalog, const ModelSpec& model,
                          const RoadmapRequest& request);

// run_roadmap in pieces, so that a caller can spread the designs over processes: the designs asked for (throws
// InputError naming `preset` for an unknown one), one design's part of the result, and the parts joined in order
// (run_roadmap is append over run_roadmap_design of each of roadmap_designs).
std::vector<const ChipDesign*> roadmap_designs(const Catalog& catalog, const RoadmapRequest& request);
RoadmapResult run_roadmap_design(const PerfEngine& engine, const Catalog& catalog, const ModelSpec& model,
                                 const RoadmapRequest& request, const ChipDesign& design);
void append(RoadmapResult& into, const RoadmapResult& part);

// The crossover formula above, on its own (tests check it against hand-solved cases).
TensorVsPipeline tensor_vs_pipeline(int wafers, int layers, double in_wafer_s, double hop_latency_s,
                                    double activation_bytes, double io_bytes_per_s);

}  // namespace ws
