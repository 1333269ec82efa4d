#pragma once
// Data-centre facts per system and per contract (catalog/facilities.toml): what a fleet in megawatts needs beyond
// economics.toml's all-in power and PUE.
#include <string>
#include <utility>
#include <vector>

namespace ws {

// Liquid cooling of one system: flow per kW of heat on the loop, and the supply temperature.
struct SystemCooling {
  std::string system_name;
  std::string source;
  double coolant_l_per_min_per_kw = 0;
  double coolant_inlet_c = 0;  // degrees Celsius (as datasheets give it)
};

// Power a contract requires year by year against power lined up for it.
struct CapacityPlan {
  std::string name;
  std::string source;
  std::string system_name;  // the system the megawatts are built with
  std::vector<std::pair<int, double>> tranches_w;   // (year, watts added that year), years ascending
  std::vector<std::pair<int, double>> lined_up_w;   // (year, watts available to the contract by year end)
  std::string lined_up_source;
};

}  // namespace ws
