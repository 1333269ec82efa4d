#pragma once
#include <string>
#include <vector>

#include "analysis/roofline.h"
#include "catalog/catalog.h"
#include "core/table.h"
#include "econ/disaggregation_cost.h"
#include "econ/tco.h"
#include "econ/token_cost.h"
#include "frontier/frontier.h"
#include "perf/calibration.h"
#include "placement/deploy.h"
#include "perf/engine.h"
#include "placement/feasibility.h"
#include "placement/kv_offload.h"
#include "sim/simulator.h"

namespace ws {

// Builders of the tables the CLI prints, the report writes and the API serves: one source of every number.

Table chips_table(const Catalog& catalog);
// Each chip's figures divided by `reference`'s (the source's "relative to GB300" view).
Table chips_relative_table(const Catalog& catalog, const std::string& reference);
Table systems_table(const Catalog& catalog);
Table models_table(const Catalog& catalog);
Table precisions_table(const Catalog& catalog);
Table workloads_table(const Catalog& catalog);

struct FootprintOptions {
  std::string kv_precision = "bf16";
  std::vector<double> contexts_tokens = {128000, 256000, 1000000};
  bool honor_windows = true;
};
Table footprint_table(const Catalog& catalog, const std::vector<ModelSpec>& models, const FootprintOptions& options);
std::string context_label(double tokens);  // 128000 -> "128k", 1000000 -> "1m", 96300 -> "96300"

std::vector<GemmShape> default_gemm_shapes(const Catalog& catalog);  // catalog/gemm_shapes.csv
Table gemm_table(const std::vector<GemmShape>& shapes, const std::vector<Chip>& chips, const Precision& precision);

Table deploy_table(const std::vector<Deployment>& deployments);
Table tco_table(const std::vector<Tco>& results);

Table perf_table(const std::vector<PerfResult>& results);

Table feasibility_grid_table(const FeasibilityGrid& grid);
Table feasibility_points_table(const std::vector<FeasibilityPoint>& points);
// Catalog models at their maximum context (or `context_override` > 0) with `concurrency` sequences.
std::vector<FeasibilityPoint> feasibility_points(const Catalog& catalog, const Hardware& hardware, double concurrency,
                                                 const std::string& weight_dtype, const std::string& kv_dtype,
                                                 bool honor_windows);
// The terms of one decode step (per stage, per phase), grouped when `detailed` is false, and the totals by bound.
Table explain_table(const PerfResult& result, bool detailed);
Table bound_totals_table(const PerfResult& result);

// The results of the lower stages, laid out (report/result_tables.cpp).
Table kv_offload_table(const KvOffload& offload, double new_tokens_prefill_s, double returning_ttft_s);
Table validation_table(const std::vector<ValidationRow>& rows);
Table validation_summary_table(const std::vector<ErrorSummary>& summary);
Table group_error_table(const std::vector<GroupError>& errors);
Table cost_table(const std::vector<CostResult>& results);
Table frontier_table(const std::vector<FrontierPoint>& points, Normalizer normalize, bool pareto_only);
Table sim_summary_table(const SimResult& result);
Table sim_requests_table(const SimResult& result);
Table sim_requests_table(const std::vector<SimRequest>& requests);  // rows as they stream out
Table sim_series_table(const SimResult& result);
// Disaggregated vs co-located rows with their prices (econ/disaggregation_cost.h).
Table disaggregation_table(const std::vector<PricedDisaggRow>& rows);
// What the source's 5x claim would need, in words, from the co-located and disaggregated rows.
std::string five_x_note(const std::vector<PricedDisaggRow>& rows);

}  // namespace ws
