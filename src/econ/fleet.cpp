#include "econ/fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"

namespace ws {

namespace {
constexpr double seconds_per_day = 86400.0;
constexpr double hours_per_year = 8760.0;  // 365 days: a fleet running around the clock
}  // namespace

FleetPower fleet_power(const Hardware& hardware, const SystemEconomics& economics, const SystemCooling* cooling,
                       double critical_it_w, const std::string& where) {
  FleetPower f;
  f.hardware = hardware.system.name;
  f.critical_it_w = critical_it_w;
  f.all_in_w_per_system = economics.all_in_power_w;
  // A whole system or none; the tiny relative slack keeps 750 MW / 30 kW at 25,000 despite rounding in MW -> W.
  f.systems = static_cast<long long>(std::floor(critical_it_w / f.all_in_w_per_system * (1 + 1e-12)));
  if (f.systems < 1)
    throw InputError(where, fmt::format("expected at least one system's all-in power ({} kW for {}); got {} kW",
                                        f.all_in_w_per_system / units::watts_per_kw, f.hardware,
                                        critical_it_w / units::watts_per_kw));
  f.pue = economics.pue;
  f.facility_w = critical_it_w * f.pue;
  f.chiller_load_w = critical_it_w;
  if (cooling) {
    const auto chip_w = hardware.chip.power_w;
    const double loop_w_per_system = chip_w ? *chip_w * hardware.chip_count() : f.all_in_w_per_system;
    f.liquid_loop_w = loop_w_per_system * static_cast<double>(f.systems);
    f.coolant_l_per_min = *f.liquid_loop_w / units::watts_per_kw * cooling->coolant_l_per_min_per_kw;
    f.coolant_inlet_c = cooling->coolant_inlet_c;
  }
  return f;
}

FleetOutput fleet_output(const FleetPower& power, const Hardware& hardware, const CostResult& cost,
                         const PriceList& prices, std::optional<double> rental_usd_per_hour) {
  FleetOutput o;
  o.model = cost.model;
  o.workload = cost.workload;
  o.price_list = prices.name;
  o.devices_per_replica = cost.devices;
  o.systems_per_replica = cost.systems;
  o.concurrency = cost.concurrency;
  o.tokens_per_s_per_user = cost.tokens_per_s_per_user;
  const double fleet_devices = static_cast<double>(power.systems) * hardware.chip_count();
  o.replicas = static_cast<long long>(std::floor(fleet_devices / cost.devices));
  // One replica completes tokens_per_s / (isl + osl) average requests a second; each earns its tokens at list price.
  const double requests_per_s = cost.tokens_per_s / (cost.isl + cost.osl);
  const double usd_per_request =
      (cost.cache_read.tokens_per_request * prices.cache_read_usd_per_mtok +
       cost.cache_write.tokens_per_request * prices.cache_write_usd_per_mtok +
       cost.fresh_input.tokens_per_request * prices.fresh_input_usd_per_mtok +
       cost.output.tokens_per_request * prices.output_usd_per_mtok) / units::mega;
  const double replicas = static_cast<double>(o.replicas);
  o.output_tokens_per_day = replicas * requests_per_s * cost.osl * seconds_per_day;
  o.revenue_usd_per_year = replicas * requests_per_s * usd_per_request * seconds_per_day * 365.0;
  if (rental_usd_per_hour) o.rental_usd_per_year = static_cast<double>(power.systems) * *rental_usd_per_hour * hours_per_year;
  return o;
}

std::vector<ScheduleYear> capacity_schedule(const CapacityPlan& plan, double all_in_w_per_system) {
  std::vector<ScheduleYear> years;
  double required = 0;
  for (const auto& [year, tranche] : plan.tranches_w) {
    ScheduleYear y;
    y.year = year;
    y.tranche_w = tranche;
    required += tranche;
    y.required_w = required;
    // The latest published figure at or before this year; none yet = nothing lined up.
    y.lined_up_published = false;
    for (const auto& [at, watts] : plan.lined_up_w)
      if (at <= year) {
        y.lined_up_w = watts;
        y.lined_up_published = at == year;
      }
    y.shortfall_w = std::max(0.0, y.required_w - y.lined_up_w);
    y.required_systems = y.required_w / all_in_w_per_system;
    y.shortfall_systems = y.shortfall_w / all_in_w_per_system;
    years.push_back(y);
  }
  return years;
}

}  // namespace ws
