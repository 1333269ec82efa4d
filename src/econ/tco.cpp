#include "econ/tco.h"

#include <cmath>

#include "core/units.h"

namespace ws {

double monthly_annuity(double principal, double annual_rate, double years) {
  const double r = annual_rate / 12.0;
  const double n = years * 12.0;
  if (r == 0) return principal / n;
  return principal * r / (1.0 - std::pow(1.0 + r, -n));
}

Tco compute_tco(const SystemEconomics& e, const Hardware& hardware, const std::string& compute_class) {
  Tco t;
  t.system = hardware.system.name;
  t.capex_usd = e.server_cost_usd + e.server_service_usd + e.networking_cost_usd + e.storage_cost_usd +
                e.software_and_other_usd + e.other_installation_usd;
  t.wacc = e.equity_portion * e.equity_cost_of_capital + (1.0 - e.equity_portion) * e.debt_cost_of_capital;
  t.capital_cost_per_month_usd = monthly_annuity(t.capex_usd, t.wacc, e.useful_life_years);
  t.capital_cost_per_hour_usd = t.capital_cost_per_month_usd / e.hours_per_month;
  t.electricity_usd_per_kw_month = e.electricity_usd_per_kwh * e.hours_per_month * e.utilization * e.pue;
  t.total_usd_per_kw_month = t.electricity_usd_per_kw_month + e.colocation_usd_per_kw_month;
  t.power_and_colocation_per_month_usd = e.all_in_power_w / units::watts_per_kw * t.total_usd_per_kw_month;
  t.operating_cost_per_month_usd = t.power_and_colocation_per_month_usd + e.remote_hands_usd_per_month +
                                   e.internet_usd_per_month;
  t.operating_cost_per_hour_usd = t.operating_cost_per_month_usd / e.hours_per_month;
  t.tco_per_hour_usd = t.capital_cost_per_hour_usd + t.operating_cost_per_hour_usd;
  t.capital_share_of_tco = t.capital_cost_per_hour_usd / t.tco_per_hour_usd;

  t.compute_class = hardware.flops_per_s(compute_class) ? compute_class : "fp16";
  t.system_flops_per_s = hardware.flops_per_s(t.compute_class).value_or(NAN);
  t.system_memory_bandwidth_bytes_per_s = hardware.memory_bandwidth_bytes_per_s();
  const double pflops = t.system_flops_per_s / units::flops_per_pflop;
  const double tb_per_s = t.system_memory_bandwidth_bytes_per_s / units::bytes_per_tb;
  t.upfront_per_pflop_internal_usd = t.capex_usd / pflops;
  t.upfront_per_tb_per_s_internal_usd = t.capex_usd / tb_per_s;
  t.tco_per_pflop_hour_internal_usd = t.tco_per_hour_usd / pflops;
  t.external_price_usd = e.external_asp_usd;
  t.rental_per_hour_usd = e.rental_usd_per_hour;
  if (e.external_asp_usd) {
    t.upfront_per_pflop_external_usd = *e.external_asp_usd / pflops;
    t.upfront_per_tb_per_s_external_usd = *e.external_asp_usd / tb_per_s;
  }
  if (e.rental_usd_per_hour) t.tco_per_pflop_hour_external_usd = *e.rental_usd_per_hour / pflops;
  return t;
}

}  // namespace ws
