#pragma once
// Tables and charts of the planning commands: fleet (megawatts to systems, the capacity schedule), roofline (chips,
// systems and what a budget buys), lengths (a workload's input-length distribution). One builder per table serves
// the CLI and the API.
#include <string>
#include <vector>

#include "analysis/roofline.h"
#include "core/table.h"
#include "econ/fleet.h"
#include "workload/workload.h"

namespace ws {

Table fleet_table(const FleetPower& power, const FleetOutput& output);
Table schedule_table(const CapacityPlan& plan, const std::vector<ScheduleYear>& years);
void plot_capacity_schedule(const CapacityPlan& plan, const std::vector<ScheduleYear>& years, const std::string& file);

// A vertical line on the roofline chart: a GEMM shape at its arithmetic intensity.
struct IntensityMark {
  std::string label;
  double arithmetic_intensity = 0;
};
// One row per roofline: units, chips, peak, bandwidth, ridge; `budget_usd` > 0 adds what the budget buys.
Table rooflines_table(const std::vector<Roofline>& rooflines, const std::string& precision, double budget_usd);
// The curves: name, arithmetic_intensity, attainable_flops_per_s (and the bound) at each intensity.
Table roofline_curves_table(const std::vector<Roofline>& rooflines, const std::vector<double>& intensities);
void plot_rooflines(const std::vector<Roofline>& rooflines, const std::vector<double>& intensities,
                    const std::vector<IntensityMark>& marks, const std::string& title, const std::string& file);

// A length distribution in `bins` equal bins over [shortest, longest]: share of requests in each, and cumulative.
struct LengthBin {
  double from_tokens = 0, to_tokens = 0, share = 0, cumulative_share = 0;
};
std::vector<LengthBin> length_bins(const LengthDistribution& lengths, int bins);
Table length_summary_table(const Workload& workload, double threshold_tokens);
Table length_bins_table(const std::vector<LengthBin>& bins);
void plot_length_distribution(const Workload& workload, const std::vector<LengthBin>& bins, double threshold_tokens,
                              const std::string& file);

}  // namespace ws
