#pragma once
// A capacity contract's project economics per system (the source analysis' deal model, May 2026):
//   month 0            capex out, the customer's prepay in
//   months 1..term     rental x hours x billed utilisation, less the prepay credited equally over its period,
//                      less the operating cost (power, colocation, remote hands, internet: econ/tco.h)
//   after the term     re-rental at its own rate, or shutdown (no revenue, no cost) when the EBITDA margin
//                      (revenue - opex) / revenue would fall below the threshold; until the lifetime ends
// Cash flows are monthly (hours per month from the TCO inputs); IRR is the monthly rate at which their NPV is zero,
// found by bisection and annualised as (1 + r)^12 - 1; NPV discounts month m by (1 + cost of capital)^(m / 12).
// Pre-tax and unlevered; no salvage value at the end of life.
// Year-1 EBIT margin = (revenue - opex - capex / depreciation life) / revenue, for three lives.
#include <string>
#include <vector>

#include "catalog/deals.h"

namespace ws {

struct DealInputs {
  double capex_usd = 0;
  double rental_usd_per_hour = 0;    // during the locked-in term
  double rerental_usd_per_hour = 0;  // after it
  double billed_utilization = 1;     // fraction of hours billed (1: take-or-pay capacity)
  double hours_per_month = 730;
  double operating_cost_per_month_usd = 0;
  double contra_revenue_usd_per_year = 0;  // deducted from revenue during the term (0 when the rental is net of it)
  int term_years = 3;
  int lifetime_years = 5;
  double prepay_usd = 0;
  int prepay_years = 3;
  double cost_of_capital = 0.13;
  double shutdown_ebitda_margin = -0.10;
  int accounting_life_years = 5;
};

// The three depreciation lives of the printed margins: the deal term, the accounting policy, six years.
inline constexpr int kSixYears = 6;

struct DealResult {
  std::vector<double> monthly_cash_flow_usd;  // [0] = at signing
  double revenue_year1_usd = 0;
  double opex_year1_usd = 0;
  EbitMargins ebit_margin_year1;
  double ebitda_margin_after_term = 0;  // NaN when the re-rental bills nothing
  bool shut_down_after_term = false;
  double project_irr = 0;    // annual; NaN when the cash flows never change sign
  double npv_usd = 0;        // at the cost of capital
  double payback_years = 0;  // NaN when the cumulative cash never turns positive
  double cumulative_cash_usd = 0;
};

double ebit_margin(double revenue_usd, double opex_usd, double capex_usd, double life_years);
// The depreciation life at which the year-1 margin equals `margin` (back-solving, reported as inferred).
double implied_depreciation_life_years(double revenue_usd, double opex_usd, double capex_usd, double margin);
// Monthly IRR, annualised; NaN when NPV has no sign change on (-50%, +1000%) a month.
double annual_irr(const std::vector<double>& monthly_cash_flow_usd);
double npv_usd(const std::vector<double>& monthly_cash_flow_usd, double annual_rate);
double payback_years(const std::vector<double>& monthly_cash_flow_usd);

DealResult project_deal(const DealInputs& inputs);

// IRR against one input swept over `values`, the rest held.
enum class DealAxis { rental, billed_utilization, lifetime };
struct SensitivityPoint {
  double value = 0;
  double project_irr = 0;
  double npv_usd = 0;
};
// `rerental_follows_rental`: sweeping the rental moves the re-rental with it (when the user gave none of its own).
std::vector<SensitivityPoint> irr_sensitivity(const DealInputs& base, DealAxis axis, const std::vector<double>& values,
                                              bool rerental_follows_rental);
std::string to_string(DealAxis axis);

// Contracts as printed, with value / term recomputed. Printed revenue is rounded to 0.1B, so a departure beyond
// half of that (0.05B) is more than rounding; `matches` names the contracts whose value / term the printed figure
// equals to that rounding (a table shifted by a row shows up as the next contract's).
struct ContractReview {
  const Contract* contract = nullptr;
  double implied_annual_revenue_usd = 0;
  double departure_usd = 0;  // printed - recomputed
  bool departs = false;
  std::vector<std::string> matches;
  double annual_revenue_per_mw_usd = 0;
  double contract_value_per_mw_usd = 0;
};
inline constexpr double kPrintedRevenueRoundingUsd = 0.05e9;
std::vector<ContractReview> review_contracts(const std::vector<Contract>& contracts);

}  // namespace ws
