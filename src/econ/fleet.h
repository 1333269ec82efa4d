#pragma once
// A fleet sized in megawatts: critical-IT power to systems, facility power, cooling, and what the fleet serves and
// earns at one operating point of the performance model; and a contract's power tranches against capacity lined up.
#include <optional>
#include <string>
#include <vector>

#include "econ/token_cost.h"
#include "hardware/economics.h"
#include "hardware/facility.h"
#include "hardware/system.h"

namespace ws {

struct FleetPower {
  std::string hardware;
  double critical_it_w = 0;           // what the request names: power into the IT equipment
  double all_in_w_per_system = 0;     // economics.toml: the system with its host, network and power conversion
  long long systems = 0;              // whole systems: floor(critical IT / all-in per system)
  double pue = 0;
  double facility_w = 0;              // critical IT x PUE
  // Heat rejected by the chillers: all critical-IT power ends as heat. PUE's overhead (the cooling plant's own
  // compressors, pumps and fans, power-conversion losses outside IT) is not IT heat and is not counted here.
  double chiller_load_w = 0;
  // Liquid loop: the accelerators' heat (chip power x chips; all-in power where the chip's is not published)
  // times the catalog's flow per kW. nullopt: no cooling facts for the system in facilities.toml.
  std::optional<double> liquid_loop_w;
  std::optional<double> coolant_l_per_min;
  std::optional<double> coolant_inlet_c;
};

// Throws InputError (naming `where`) when the power buys no whole system.
FleetPower fleet_power(const Hardware& hardware, const SystemEconomics& economics, const SystemCooling* cooling,
                       double critical_it_w, const std::string& where = "mw");

// What the fleet serves at the operating point `cost` was computed at (token_cost, physical rule): whole replicas
// of that deployment, running around the clock.
struct FleetOutput {
  std::string model, workload, price_list;
  double devices_per_replica = 0, systems_per_replica = 0;
  long long replicas = 0;
  double concurrency = 0, tokens_per_s_per_user = 0;
  double output_tokens_per_day = 0;
  double revenue_usd_per_year = 0;               // every token type at the price list
  std::optional<double> rental_usd_per_year;     // systems x rental USD/h x hours a year, where a rental is known
};

FleetOutput fleet_output(const FleetPower& power, const Hardware& hardware, const CostResult& cost,
                         const PriceList& prices, std::optional<double> rental_usd_per_hour);

// One year of a capacity plan: power the contract requires by year end (cumulative tranches) against power lined up.
struct ScheduleYear {
  int year = 0;
  double tranche_w = 0;
  double required_w = 0;
  double lined_up_w = 0;
  bool lined_up_published = true;  // false: no figure for this year, the last published one carried forward
  double shortfall_w = 0;          // max(0, required - lined up)
  double required_systems = 0, shortfall_systems = 0;  // at the system's all-in power
};

std::vector<ScheduleYear> capacity_schedule(const CapacityPlan& plan, double all_in_w_per_system);

}  // namespace ws
