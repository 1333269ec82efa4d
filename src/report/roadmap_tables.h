#pragma once
#include "core/table.h"
#include "econ/roadmap.h"

namespace ws {

// `waferscope roadmap`: the designs side by side, tensor vs pipeline parallelism across wafers, the systems needed
// by context (how a DRAM tier moves the feasibility diagram), and every assumption behind the designs.
Table roadmap_table(const RoadmapResult& result, const std::string& model, double context_tokens, double concurrency);
Table tensor_vs_pipeline_table(const RoadmapResult& result);
Table roadmap_feasibility_table(const RoadmapResult& result);
Table roadmap_assumptions_table(const RoadmapResult& result);

}  // namespace ws
