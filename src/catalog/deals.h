#pragma once
// Deal and bill-of-materials facts: catalog/deals.toml (capacity contracts as published), catalog/deal_presets.toml
// (a contract's per-system project settings) and catalog/bom.toml (per-rack line items). Plain values, USD and
// years; every figure carries its one-line source.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ws {

// Year-1 EBIT margins under the three depreciation policies the source prints.
struct EbitMargins {
  double deal_term = 0;
  double accounting_policy = 0;
  double six_years = 0;
};

struct Contract {
  std::string key;  // "cerebras-openai"
  std::string name, announced, chip, note, source;
  double contract_value_usd = 0;
  int term_years = 0;
  double implied_annual_revenue_printed_usd = 0;
  double critical_it_mw = 0;
  EbitMargins printed;
  std::optional<EbitMargins> second_printed;  // where two figures are printed
  std::optional<double> gpu_capex_disclosed_usd;
};

struct DealPreset {
  std::string name, contract, hardware;
  double rental_usd_per_hour = 0;
  int locked_in_term_years = 0;
  int expected_lifetime_years = 0;
  double cost_of_capital = 0;
  double prepay_usd = 0;
  int prepay_years = 0;
  double prepay_fraction_printed = 0;
  double shutdown_ebitda_margin = 0;
  int accounting_life_years = 0;
  double billed_utilization = 1;
  double server_capex_published_usd = 0;
  double capacity_mw = 0;
  double warrant_shares = 0;
  double warrant_fair_value_usd_per_share = 0;
  double loan_usd = 0;
  double loan_interest_rate = 0;
  std::map<std::string, std::string> sources;  // figure key -> one-line source
};

struct BomItem {
  std::string id, item, basis;  // basis: the line's source or assumption
  long long quantity = 0;
  double unit_cost_usd = 0;
};

struct BomScenario {
  std::string name;  // "pre-hike"
  double dram_usd_per_gb = 0;
  double published_total_usd = 0;
  std::string source;
};

struct SystemBom {
  std::string system;  // "cs-3"
  std::string source;
  double dram_gb = 0;
  std::string dram_item, dram_source;
  std::vector<BomScenario> scenarios;
  std::vector<BomItem> items;  // every line but the DRAM, in file order

  const BomScenario& scenario(const std::string& name, const std::string& where) const;  // InputError when unknown
};

// Loaders: InputError with file:line for a missing, mistyped or unknown key. Presets name a contract and hardware
// that must exist; a BoM names a catalog system.
std::vector<Contract> load_contracts(const std::string& file);
std::vector<DealPreset> load_deal_presets(const std::string& file, const std::vector<Contract>& contracts,
                                          const std::vector<std::string>& hardware);
std::vector<SystemBom> load_boms(const std::string& file, const std::vector<std::string>& hardware);

}  // namespace ws
