#include "catalog/deals.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/toml_reader.h"
#include "core/error.h"

namespace ws {

namespace {

// A year count as a whole number: 1..100 (a typo beyond that, not a contract).
int years(TomlReader& r, const std::string& key) {
  const long long value = r.positive_integer(key);
  if (value > 100) throw InputError(r.where(key), fmt::format("expected at most 100 years, got {}", value));
  return static_cast<int>(value);
}

// Margins may be negative (Nebius-Microsoft's deal-term margin is -2.5%); -1000% is far beyond any printed one.
constexpr double kMarginLow = -10, kMarginHigh = 1;

EbitMargins margins(TomlReader& r, const std::string& prefix) {
  return {r.in_range(prefix + "ebit_margin_deal_term", kMarginLow, kMarginHigh),
          r.in_range(prefix + "ebit_margin_accounting_policy", kMarginLow, kMarginHigh),
          r.in_range(prefix + "ebit_margin_6y", kMarginLow, kMarginHigh)};
}

void check_known(const TomlReader& r, const std::string& key, const std::string& name,
                 const std::vector<std::string>& known, const std::string& what) {
  if (std::find(known.begin(), known.end(), name) == known.end())
    throw InputError(r.where(key), unknown_name_message(what, name, known, ""));
}

}  // namespace

const BomScenario& SystemBom::scenario(const std::string& name, const std::string& where) const {
  std::vector<std::string> known;
  for (const auto& s : scenarios) {
    if (s.name == name) return s;
    known.push_back(s.name);
  }
  throw InputError(where, unknown_name_message("scenario", name, known, ""));
}

std::vector<Contract> load_contracts(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  std::vector<Contract> result;
  for (const auto& [key, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, key);
    Contract c;
    c.key = key;
    c.name = r.string("name");
    c.announced = r.string("announced");
    c.chip = r.string("chip");
    c.source = r.string("source");
    c.note = r.optional_string("note").value_or("");
    c.contract_value_usd = r.positive("contract_value_usd");
    c.term_years = years(r, "term_years");
    c.implied_annual_revenue_printed_usd = r.positive("implied_annual_revenue_printed_usd");
    c.critical_it_mw = r.positive("critical_it_mw");
    c.printed = margins(r, "");
    if (r.has("second_ebit_margin_deal_term")) c.second_printed = margins(r, "second_");
    c.gpu_capex_disclosed_usd = r.optional_positive("gpu_capex_disclosed_usd");
    r.reject_unknown_keys({"name", "announced", "chip", "source", "note", "contract_value_usd", "term_years",
                           "implied_annual_revenue_printed_usd", "critical_it_mw", "ebit_margin_deal_term",
                           "ebit_margin_accounting_policy", "ebit_margin_6y", "second_ebit_margin_*",
                           "gpu_capex_disclosed_usd"});
    result.push_back(std::move(c));
  }
  return result;
}

std::vector<DealPreset> load_deal_presets(const std::string& file, const std::vector<Contract>& contracts,
                                          const std::vector<std::string>& hardware) {
  const toml::table document = parse_toml_file(file);
  std::vector<std::string> contract_keys;
  for (const auto& c : contracts) contract_keys.push_back(c.key);
  std::vector<DealPreset> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    DealPreset p;
    p.name = name;
    p.contract = r.string("contract");
    check_known(r, "contract", p.contract, contract_keys, "contract");
    p.hardware = r.string("hardware");
    check_known(r, "hardware", p.hardware, hardware, "system");
    p.rental_usd_per_hour = r.positive("rental_usd_per_hour");
    p.locked_in_term_years = years(r, "locked_in_term_years");
    p.expected_lifetime_years = years(r, "expected_lifetime_years");
    p.cost_of_capital = r.fraction("cost_of_capital");
    p.prepay_usd = r.non_negative("prepay_usd");
    p.prepay_years = years(r, "prepay_years");
    p.prepay_fraction_printed = r.fraction("prepay_fraction_printed");
    p.shutdown_ebitda_margin = r.in_range("shutdown_ebitda_margin", kMarginLow, kMarginHigh);
    p.accounting_life_years = years(r, "accounting_life_years");
    p.billed_utilization = r.fraction("billed_utilization");
    p.server_capex_published_usd = r.positive("server_capex_published_usd");
    p.capacity_mw = r.positive("capacity_mw");
    p.warrant_shares = r.non_negative("warrant_shares");
    p.warrant_fair_value_usd_per_share = r.non_negative("warrant_fair_value_usd_per_share");
    p.loan_usd = r.non_negative("loan_usd");
    p.loan_interest_rate = r.fraction("loan_interest_rate");
    TomlReader sources = r.subtable("sources");
    r.reject_unknown_keys({"contract", "hardware", "rental_usd_per_hour", "locked_in_term_years",
                           "expected_lifetime_years", "cost_of_capital", "prepay_usd", "prepay_years",
                           "prepay_fraction_printed", "shutdown_ebitda_margin", "accounting_life_years",
                           "billed_utilization", "server_capex_published_usd", "capacity_mw", "warrant_shares",
                           "warrant_fair_value_usd_per_share", "loan_usd", "loan_interest_rate", "sources"});
    // Every figure above carries its one-line source; a source for a key the preset does not set is a typo.
    for (const auto& key : sources.keys()) {
      if (!r.has(key)) throw InputError(sources.where(key), "cites '" + key + "', which this preset does not set");
      p.sources[key] = sources.string(key);
    }
    for (const auto& key : r.keys())
      if (key != "contract" && key != "hardware" && key != "sources" && !p.sources.count(key))
        throw InputError(r.where(key), "'" + key + "' has no one-line source in [" + name + ".sources]");
    result.push_back(std::move(p));
  }
  return result;
}

std::vector<SystemBom> load_boms(const std::string& file, const std::vector<std::string>& hardware) {
  const toml::table document = parse_toml_file(file);
  std::vector<SystemBom> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    SystemBom b;
    b.system = name;
    if (std::find(hardware.begin(), hardware.end(), name) == hardware.end())
      throw InputError(r.where(), unknown_name_message("system", name, hardware, "waferscope systems"));
    b.source = r.string("source");
    b.dram_gb = r.positive("dram_gb");
    b.dram_item = r.string("dram_item");
    b.dram_source = r.string("dram_source");
    TomlReader scenarios = r.subtable("scenarios");
    for (auto& [scenario, s] : scenarios.subtables_in_order()) {
      b.scenarios.push_back({scenario, s.non_negative("dram_usd_per_gb"), s.positive("published_total_usd"),
                             s.string("source")});
      s.reject_unknown_keys({"dram_usd_per_gb", "published_total_usd", "source"});
    }
    scenarios.reject_unknown_keys({"a table per scenario"});
    if (b.scenarios.empty()) throw InputError(scenarios.where(), "expected at least one scenario");
    TomlReader items = r.subtable("items");
    for (auto& [id, t] : items.subtables_in_order()) {
      BomItem item;
      item.id = id;
      item.item = t.string("item");
      item.quantity = t.positive_integer("quantity");
      item.unit_cost_usd = t.non_negative("unit_cost_usd");
      const auto source = t.optional_string("source");
      const auto assumption = t.optional_string("assumption");
      if (source.has_value() == assumption.has_value())
        throw InputError(t.where(), "expected exactly one of 'source' (published) or 'assumption' (stated)");
      item.basis = source ? *source : *assumption;
      t.reject_unknown_keys({"item", "quantity", "unit_cost_usd", "source", "assumption"});
      b.items.push_back(std::move(item));
    }
    items.reject_unknown_keys({"a table per line item"});
    r.reject_unknown_keys({"source", "dram_gb", "dram_item", "dram_source", "scenarios", "items"});
    result.push_back(std::move(b));
  }
  return result;
}

}  // namespace ws
