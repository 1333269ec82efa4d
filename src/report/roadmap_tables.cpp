#include "report/roadmap_tables.h"

#include <fmt/format.h>

#include <cmath>

namespace ws {

namespace {
Cell number_or_blank(double v) { return std::isnan(v) ? Cell{} : Cell{v}; }
}  // namespace

Table roadmap_table(const RoadmapResult& result, const std::string& model, double context_tokens, double concurrency) {
  Table t;
  t.title = fmt::format("Roadmap: {} at {:.0f} tokens of context, {:.0f} concurrent", model, context_tokens, concurrency);
  t.columns = {Column{"preset", "preset"}, Column{"hardware", "hardware"}, Column{"node", "node"},
               Column{"derived", "derived"}, Column{"sram_bytes", "SRAM GB", 1e9, 1},
               Column{"bonded_memory_bytes", "bonded DRAM GB", 1e9, 0},
               Column{"sram_bandwidth_bytes_per_s", "SRAM PB/s", 1e15, 1},
               Column{"dense_flops_per_s", "dense PFLOPS", 1e15, 2}, Column{"io_bytes_per_s", "I/O GB/s", 1e9, 0},
               Column{"systems", "systems", 1, 2}, Column{"tokens_per_s_per_user", "tok/s/user", 1, 0},
               Column{"output_tokens_per_s", "output tok/s", 1, 0}, Column{"usd_per_mtok", "USD/Mtok", 1, 3},
               Column{"bound", "bound"}, Column{"note", "note"}};
  for (const auto& r : result.rows)
    t.rows.push_back({r.preset, r.hardware, r.node, std::string(r.derived ? "yes" : "no (catalog)"), r.sram_bytes,
                      r.bonded_memory_bytes, r.sram_bandwidth_bytes_per_s, number_or_blank(r.dense_flops_per_s),
                      r.io_bytes_per_s, number_or_blank(r.systems), number_or_blank(r.tokens_per_s_per_user),
                      number_or_blank(r.output_tokens_per_s), number_or_blank(r.usd_per_mtok), r.bound, r.note});
  t.notes = {"Derived designs scale a catalog chip by physical ratios (src/hardware/roadmap.h); their figures are "
             "assumptions listed in the assumptions table. USD/Mtok = TCO per hour of the systems / output tokens."};
  return t;
}

Table tensor_vs_pipeline_table(const RoadmapResult& result) {
  Table t;
  t.title = "Tensor parallelism across wafers vs pipelining (per token, batch 1)";
  t.columns = {Column{"preset", "preset"}, Column{"wafers", "wafers", 1, 0, true}, Column{"layers", "layers", 1, 0, true},
               Column{"in_wafer_s", "in-wafer us", 1e-6, 1}, Column{"hop_latency_s", "hop us", 1e-6, 1},
               Column{"activation_bytes", "activation KB", 1e3, 1}, Column{"io_bytes_per_s", "I/O GB/s", 1e9, 0},
               Column{"pipeline_token_s", "PP us/token", 1e-6, 1}, Column{"tensor_token_s", "TP us/token", 1e-6, 1},
               Column{"crossover_bytes_per_s", "TP wins above GB/s", 1e9, 1},
               Column{"max_hop_latency_for_tp_s", "TP needs hop below us", 1e-6, 3}, Column{"verdict", "verdict"}};
  for (const auto& r : result.tensor_vs_pipeline)
    t.rows.push_back({r.preset, static_cast<double>(r.wafers), static_cast<double>(r.layers), r.in_wafer_s,
                      r.hop_latency_s, r.activation_bytes, r.io_bytes_per_s, r.pipeline_token_s, r.tensor_token_s,
                      number_or_blank(r.crossover_bytes_per_s), number_or_blank(r.max_hop_latency_for_tp_s), r.verdict});
  t.notes = {"TP is given an N-fold faster in-wafer time (its best case) and pays two ring all-reduces of the "
             "activation per layer; PP pays one hop per wafer boundary. The hop latency is calibration.toml's "
             "wafer_hop_latency_s."};
  return t;
}

Table roadmap_feasibility_table(const RoadmapResult& result) {
  Table t;
  t.title = "Systems needed by context (the feasibility diagram's axis)";
  t.columns = {Column{"preset", "preset"}, Column{"context_tokens", "context", 1, 0, true},
               Column{"concurrency", "concurrency", 1, 0, true}, Column{"systems", "systems", 1, 0, true},
               Column{"kv_share_of_memory", "KV share", 1, 3}};
  for (const auto& r : result.feasibility)
    t.rows.push_back({r.preset, r.context_tokens, r.concurrency, static_cast<double>(r.systems), r.kv_share_of_memory});
  t.notes = {"Weights plus every sequence's KV; with a bonded DRAM tier the KV lives there and the SRAM holds weights."};
  return t;
}

Table roadmap_assumptions_table(const RoadmapResult& result) {
  Table t;
  t.title = "Assumptions and sources (catalog/roadmap.toml)";
  t.columns = {Column{"assumption", "assumption"}};
  for (const auto& a : result.assumptions) t.rows.push_back({a});
  return t;
}

}  // namespace ws
