#pragma once
// Charts of the deal and BoM commands (gnuplot, PNG or SVG by the file's extension).
#include <string>
#include <utility>
#include <vector>

#include "econ/deal.h"

namespace ws {

// Project IRR against rental, billed utilisation and lifetime, one panel each; `base` marks the chosen inputs.
struct SensitivitySeries {
  DealAxis axis;
  std::vector<SensitivityPoint> points;
  double base_value = 0;
};
void plot_deal_sensitivity(const std::vector<SensitivitySeries>& series, double base_irr, const std::string& title,
                           const std::string& file);

// A BoM's total against the DRAM price per GB (a line), with labelled points (scenarios: price, published total).
struct LabelledPoint {
  std::string label;
  double x = 0, y = 0;
};
void plot_bom_dram(const std::vector<std::pair<double, double>>& curve, const std::vector<LabelledPoint>& points,
                   const std::string& title, const std::string& file);

}  // namespace ws
