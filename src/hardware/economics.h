#pragma once
#include <optional>
#include <string>

namespace ws {

// Cost-of-ownership inputs for one system (catalog/economics.toml). USD, SI time where it is time.
struct SystemEconomics {
  std::string system_name;
  std::string source;
  double server_cost_usd = 0;
  double server_service_usd = 0;
  double networking_cost_usd = 0;
  double storage_cost_usd = 0;
  double software_and_other_usd = 0;
  double other_installation_usd = 0;
  double equity_cost_of_capital = 0;
  double debt_cost_of_capital = 0;
  double equity_portion = 0;
  double useful_life_years = 0;
  double hours_per_month = 0;
  double electricity_usd_per_kwh = 0;
  double utilization = 0;
  double pue = 0;
  double colocation_usd_per_kw_month = 0;
  double all_in_power_w = 0;
  double remote_hands_usd_per_month = 0;
  double internet_usd_per_month = 0;
  std::optional<double> external_asp_usd;     // sale price to external customers
  std::optional<double> rental_usd_per_hour;  // what a renter pays
  std::string rental_source;
};

}  // namespace ws
