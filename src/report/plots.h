#pragma once
#include <string>
#include <vector>

#include "frontier/frontier.h"
#include "perf/calibration.h"
#include "placement/feasibility.h"
#include "sim/simulator.h"
#include "workload/workload.h"

namespace ws {

// The feasibility phase diagram: systems needed (colour, log) over average input length (x, log) and model
// size (y, log), contour lines at 32, 64 and 128 systems, catalog models as labelled points.
void plot_feasibility(const FeasibilityGrid& grid, const std::vector<FeasibilityPoint>& points, const std::string& title,
                      const std::string& file);

// Token-type shares by volume and by spend (at a price list) for each workload, as grouped bars.
void plot_workload_mix(const std::vector<Workload>& workloads, const PriceList& prices, const std::string& file);

// Cost per million tokens of disaggregated vs co-located serving, one group of bars per scenario label.
struct DisaggBar {
  std::string scenario;
  double disaggregated_usd_per_mtok = 0, colocated_prefill_usd_per_mtok = 0, colocated_decode_usd_per_mtok = 0;
};
void plot_disaggregation(const std::vector<DisaggBar>& bars, const std::string& prefill_label,
                         const std::string& decode_label, const std::string& file);

// Draws the InferenceX-style chart with gnuplot: x tokens/s/user, y output tokens/s per normalizer, one curve
// per (model, hardware). PNG or SVG by the file's extension. Throws InputError if gnuplot is missing or fails.
void plot_frontier(const std::vector<FrontierPoint>& points, Normalizer normalize, const std::string& title,
                   const std::string& file);

// Predicted vs measured (log axes), one colour per group and one point shape per metric, with y = x and +-10%
// bands: the validation's parity plot. Rows without a prediction are left out (the tables count them).
void plot_parity(const std::vector<ValidationRow>& rows, const std::string& title, const std::string& file);

// The simulator's latency CDFs (TTFT, TPOT, end to end) and its queue / KV-occupancy time series, as PNGs.
void plot_sim(const SimResult& result, const std::string& latency_png, const std::string& series_png);

}  // namespace ws
