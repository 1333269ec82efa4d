#pragma once
#include <optional>
#include <string>

#include "hardware/economics.h"
#include "hardware/system.h"

namespace ws {

// Total cost of ownership of one system, the source analysis' "AI TCO Model":
//   capex            = server + service + networking + storage + software + installation
//   WACC             = equity_portion x cost_of_equity + (1 - equity_portion) x cost_of_debt
//   capital/month    = annuity of capex over the useful life at WACC/12:  P r / (1 - (1 + r)^-n)
//   power/kW-month   = electricity_price x hours_per_month x utilization x PUE, plus colocation per kW-month
//   operating/month  = all-in kW x (power + colocation per kW-month) + remote hands + internet
//   per hour         = per month / hours_per_month
// Internal (owner) uses capex; external (renter) uses the sale price for upfront ratios and the rental rate
// for hourly ones.
struct Tco {
  std::string system;
  std::string compute_class;  // which dense FLOP/s the per-PFLOP figures use
  double capex_usd = 0;
  double wacc = 0;
  double capital_cost_per_month_usd = 0;
  double capital_cost_per_hour_usd = 0;
  double electricity_usd_per_kw_month = 0;
  double total_usd_per_kw_month = 0;
  double power_and_colocation_per_month_usd = 0;
  double operating_cost_per_month_usd = 0;
  double operating_cost_per_hour_usd = 0;
  double tco_per_hour_usd = 0;
  double capital_share_of_tco = 0;
  double system_flops_per_s = 0;
  double system_memory_bandwidth_bytes_per_s = 0;
  double upfront_per_pflop_internal_usd = 0;
  double upfront_per_tb_per_s_internal_usd = 0;
  double tco_per_pflop_hour_internal_usd = 0;
  std::optional<double> external_price_usd;
  std::optional<double> rental_per_hour_usd;
  std::optional<double> upfront_per_pflop_external_usd;
  std::optional<double> upfront_per_tb_per_s_external_usd;
  std::optional<double> tco_per_pflop_hour_external_usd;
};

double monthly_annuity(double principal, double annual_rate, double years);

// `compute_class`: "fp8" by default (the source's marketed dense figure); falls back to fp16 when absent.
Tco compute_tco(const SystemEconomics& economics, const Hardware& hardware, const std::string& compute_class = "fp8");

}  // namespace ws
