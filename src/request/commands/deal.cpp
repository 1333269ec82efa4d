// deal: a capacity contract's project economics per system (IRR, NPV, payback, year-1 EBIT margins under three
// depreciation policies), the published contracts with their implied revenue recomputed, and IRR sensitivity.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/units.h"
#include "econ/deal.h"
#include "econ/tco.h"
#include "report/deal_plots.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

// Within this many percentage points a computed margin reproduces a printed one (printed to 0.1 point).
constexpr double kReproducedPoints = 0.3;
const std::string kYearsReason = "30 years is the life a data-centre building is depreciated over";

std::vector<Field> deal_fields() {
  auto years = [](const std::string& name, const std::string& help) {
    return bounded_field(name, FieldType::integer, help, std::nullopt, 1, limits::max_deal_years, kYearsReason);
  };
  auto usd = [](const std::string& name, const std::string& help, double min) {
    return bounded_field(name, FieldType::number, help, std::nullopt, min, limits::max_usd_per_system,
                         "1e9 USD is over 200x the dearest system in the catalog");
  };
  auto per_hour = [](const std::string& name, const std::string& help) {
    return bounded_field(name, FieldType::number, help, std::nullopt, 0, limits::max_usd_per_hour,
                         "three orders of magnitude above any rental price in the catalog");
  };
  return {
      text_field("preset", std::string("cerebras-openai"), "Deal settings from catalog/deal_presets.toml"),
      text_field("hardware", std::nullopt, "System whose TCO inputs give capex and operating cost (default: the preset's)"),
      usd("capex_usd", "Upfront capex per system (default: the TCO model's)", 1),
      per_hour("rental_usd_per_hour", "Rental per system-hour during the locked-in term (default: the preset's)"),
      per_hour("rerental_usd_per_hour", "Rental after the term (default: the term's rental)"),
      bounded_field("billed_utilization", FieldType::number, "Fraction of hours billed (default: the preset's)",
                    std::nullopt, 0, 1, "a fraction"),
      years("term_years", "Locked-in term (default: the preset's)"),
      years("lifetime_years", "Life of the system, at least the term (default: the preset's)"),
      years("accounting_life_years", "Depreciation life of the company's accounting policy (default: the preset's)"),
      usd("prepay_usd", "Customer prepay per system, credited equally over its period (default: the preset's)", 0),
      years("prepay_years", "Period the prepay is credited over (default: the preset's)"),
      bounded_field("cost_of_capital", FieldType::number, "Discount rate for NPV, a year (default: the preset's)",
                    std::nullopt, 0, limits::max_cost_of_capital, "a 100% hurdle rate is beyond venture returns"),
      bounded_field("shutdown_ebitda_margin", FieldType::number,
                    "Shut a system down after the term below this EBITDA margin (default: the preset's)", std::nullopt,
                    -10, 1, "a margin is at most 1; -10 (-1000%) is far below any shutdown rule"),
      text_field("warrant", std::string("net"),
                 "net: the rental is already net of the warrant contra-revenue; deduct: subtract it during the term"),
      flag_field("contracts", "List the published contracts with value / term recomputed, and where they depart"),
      flag_field("sensitivity", "Add project IRR against rental, billed utilisation and lifetime"),
      cli_only(text_field("plot", std::nullopt, "Write the IRR sensitivity chart to FILE.png or FILE.svg")),
  };
}

const DealPreset& find_preset(const Catalog& catalog, const std::string& name) {
  std::vector<std::string> known;
  for (const auto& p : catalog.deal_presets) {
    if (p.name == to_lower(name)) return p;
    known.push_back(p.name);
  }
  throw InputError("preset", unknown_name_message("deal preset", name, known, ""));
}

const Contract& find_contract(const Catalog& catalog, const std::string& key) {
  for (const auto& c : catalog.contracts)
    if (c.key == key) return c;
  throw InputError("preset", "no contract '" + key + "' in catalog/deals.toml");
}

int years_or(const RequestValues& v, const std::string& name, int fallback) {
  return v.optional_int(name).value_or(fallback);
}

// What one request resolves to: the preset, its contract, the TCO that gives capex and opex, and the inputs.
struct DealSetup {
  const DealPreset* preset = nullptr;
  const Contract* contract = nullptr;
  Tco tco;
  double systems = 0;               // capacity / all-in power per system
  double warrant_contra_usd = 0;    // shares x fair value, the whole contract
  bool rerental_follows_rental = true;
  bool warrant_deducted = false;
  double tco_utilization = 0;       // the TCO's power-draw utilisation (electricity), not billed hours
  DealInputs inputs;
};

DealSetup resolve(const Context& ctx, const RequestValues& v) {
  DealSetup s;
  s.preset = &find_preset(ctx.catalog, v.text("preset"));
  const DealPreset& p = *s.preset;
  s.contract = &find_contract(ctx.catalog, p.contract);
  const std::string hardware = v.has("hardware") ? v.text("hardware") : p.hardware;
  const Hardware hw = ctx.catalog.hardware(hardware, "hardware");
  const SystemEconomics& e = ctx.catalog.economics_for(hw.system.name, "hardware");
  s.tco = compute_tco(e, hw);
  s.systems = p.capacity_mw * units::mega / e.all_in_power_w;  // MW in W over W per system
  s.tco_utilization = e.utilization;
  s.warrant_contra_usd = p.warrant_shares * p.warrant_fair_value_usd_per_share;
  const std::string warrant = to_lower(v.text("warrant"));
  if (warrant != "net" && warrant != "deduct")
    throw InputError("warrant", "expected net or deduct; got '" + v.text("warrant") + "'");
  s.warrant_deducted = warrant == "deduct";

  DealInputs& in = s.inputs;
  in.capex_usd = v.optional_number("capex_usd").value_or(s.tco.capex_usd);
  in.rental_usd_per_hour = v.optional_number("rental_usd_per_hour").value_or(p.rental_usd_per_hour);
  s.rerental_follows_rental = !v.has("rerental_usd_per_hour");
  in.rerental_usd_per_hour = v.optional_number("rerental_usd_per_hour").value_or(in.rental_usd_per_hour);
  in.billed_utilization = v.optional_number("billed_utilization").value_or(p.billed_utilization);
  in.hours_per_month = e.hours_per_month;
  in.operating_cost_per_month_usd = s.tco.operating_cost_per_month_usd;
  in.term_years = years_or(v, "term_years", p.locked_in_term_years);
  in.lifetime_years = years_or(v, "lifetime_years", p.expected_lifetime_years);
  in.accounting_life_years = years_or(v, "accounting_life_years", p.accounting_life_years);
  in.prepay_usd = v.optional_number("prepay_usd").value_or(p.prepay_usd);
  in.prepay_years = years_or(v, "prepay_years", p.prepay_years);
  in.cost_of_capital = v.optional_number("cost_of_capital").value_or(p.cost_of_capital);
  in.shutdown_ebitda_margin = v.optional_number("shutdown_ebitda_margin").value_or(p.shutdown_ebitda_margin);
  if (s.warrant_deducted) in.contra_revenue_usd_per_year = s.warrant_contra_usd / s.systems / in.term_years;
  if (in.lifetime_years < in.term_years)
    throw InputError(v.has("lifetime_years") ? "lifetime_years" : "term_years",
                     fmt::format("expected a lifetime of at least the term; got lifetime {} y, term {} y",
                                 in.lifetime_years, in.term_years));
  if (in.prepay_years > in.lifetime_years)
    throw InputError("prepay_years", fmt::format("expected at most the lifetime ({} y); got {}", in.lifetime_years,
                                                 in.prepay_years));
  if (in.prepay_usd > in.capex_usd)
    throw InputError("prepay_usd", fmt::format("expected at most the capex ({:.0f} USD); got {:.0f}", in.capex_usd,
                                               in.prepay_usd));
  return s;
}

double points(double a, double b) { return 100 * (a - b); }

Table result_table(const DealSetup& s, const DealResult& r) {
  Table t;
  t.title = fmt::format("Deal per system: {} on {}", s.preset->name, s.tco.system);
  t.columns = {Column{"preset", "preset"},
               Column{"hardware", "hardware"},
               Column{"project_irr", "project IRR %", 0.01, 1},
               Column{"npv_usd", "NPV USD", 1, 0},
               Column{"payback_years", "payback y", 1, 2},
               Column{"ebit_margin_deal_term", "EBIT y1 deal term %", 0.01, 1},
               Column{"ebit_margin_accounting_policy", "EBIT y1 policy %", 0.01, 1},
               Column{"ebit_margin_6y", "EBIT y1 6 y %", 0.01, 1},
               Column{"revenue_year1_usd", "revenue y1 USD", 1, 0},
               Column{"opex_year1_usd", "opex y1 USD", 1, 0},
               Column{"capex_usd", "capex USD", 1, 0},
               Column{"after_term", "after term"},
               Column{"ebitda_margin_after_term", "EBITDA after term %", 0.01, 1},
               Column{"cumulative_cash_usd", "lifetime cash USD", 1, 0}};
  t.rows.push_back({s.preset->name, s.tco.system, r.project_irr, r.npv_usd, r.payback_years,
                    r.ebit_margin_year1.deal_term, r.ebit_margin_year1.accounting_policy, r.ebit_margin_year1.six_years,
                    r.revenue_year1_usd, r.opex_year1_usd, s.inputs.capex_usd,
                    std::string(r.shut_down_after_term ? "shut down" : "re-rented"), r.ebitda_margin_after_term,
                    r.cumulative_cash_usd});
  t.notes.push_back("IRR on monthly cash flows (bisection), annualised; NPV discounts month m by (1 + cost of capital)^(m/12); "
                    "pre-tax, unlevered, no salvage value");
  return t;
}

Table margins_table(const DealSetup& s, const DealResult& r) {
  const EbitMargins& published = s.contract->printed;
  Table t;
  t.title = "Year-1 EBIT margin against the published figures (" + s.contract->name + ")";
  t.columns = {Column{"policy", "depreciation policy"}, Column{"depreciation_years", "life y", 1, 0, true},
               Column{"ebit_margin", "computed %", 0.01, 2}, Column{"published_ebit_margin", "published %", 0.01, 1},
               Column{"difference_points", "difference (points)", 1, 2}};
  const struct { const char* name; int years; double computed, printed; } rows[] = {
      {"deal term", s.inputs.term_years, r.ebit_margin_year1.deal_term, published.deal_term},
      {"accounting policy", s.inputs.accounting_life_years, r.ebit_margin_year1.accounting_policy,
       published.accounting_policy},
      {"6 years", kSixYears, r.ebit_margin_year1.six_years, published.six_years}};
  for (const auto& row : rows)
    t.rows.push_back({std::string(row.name), static_cast<double>(row.years), row.computed, row.printed,
                      points(row.computed, row.printed)});
  const double implied = implied_depreciation_life_years(r.revenue_year1_usd, r.opex_year1_usd, s.inputs.capex_usd,
                                                         published.accounting_policy);
  t.notes.push_back(fmt::format("the life the published {:.1f}% implies, back-solved: {:.2f} y (inferred, not used)",
                                100 * published.accounting_policy, implied));
  return t;
}

// The readings of "revenue" and "opex" the published margins were checked against; the first is the one used.
Table interpretations_table(const DealSetup& s) {
  const DealInputs& in = s.inputs;
  const EbitMargins& published = s.contract->printed;
  const double hours = in.hours_per_month * 12;
  const double contra_per_year = s.warrant_contra_usd / s.systems / in.term_years;
  const double power_colocation = s.tco.power_and_colocation_per_month_usd * 12;
  const struct { std::string name; double revenue, opex; } readings[] = {
      {"rental x 8760 h (every capacity-hour billed), TCO operating cost", in.rental_usd_per_hour * hours,
       in.operating_cost_per_month_usd * 12},
      {"same, opex = power + colocation only (source's 'server costs')", in.rental_usd_per_hour * hours, power_colocation},
      {"rental x 8760 h x TCO utilisation", in.rental_usd_per_hour * hours * s.tco_utilization,
       in.operating_cost_per_month_usd * 12},
      {"rental less the warrant contra-revenue over the term", in.rental_usd_per_hour * hours - contra_per_year,
       in.operating_cost_per_month_usd * 12}};
  Table t;
  t.title = "Readings of revenue and opex checked against the published margins";
  t.columns = {Column{"reading", "reading"}, Column{"ebit_margin_deal_term", "deal term %", 0.01, 2},
               Column{"ebit_margin_accounting_policy", "policy %", 0.01, 2}, Column{"ebit_margin_6y", "6 y %", 0.01, 2},
               Column{"worst_difference_points", "worst diff (points)", 1, 2}, Column{"reproduces", "within 0.3"}};
  for (const auto& reading : readings) {
    const double m[3] = {ebit_margin(reading.revenue, reading.opex, in.capex_usd, in.term_years),
                         ebit_margin(reading.revenue, reading.opex, in.capex_usd, in.accounting_life_years),
                         ebit_margin(reading.revenue, reading.opex, in.capex_usd, kSixYears)};
    const double worst = std::max({std::abs(points(m[0], published.deal_term)),
                                   std::abs(points(m[1], published.accounting_policy)),
                                   std::abs(points(m[2], published.six_years))});
    t.rows.push_back({reading.name, m[0], m[1], m[2], worst, std::string(worst <= kReproducedPoints ? "yes" : "no")});
  }
  t.notes.push_back("used: the first reading (the issue asks for the TCO model's operating cost); the second matches "
                    "every printed figure to its rounding, so the residual is the 21 USD/month of remote hands and internet");
  return t;
}

std::string source_of(const DealPreset& p, const std::string& key) {
  const auto found = p.sources.find(key);
  return found == p.sources.end() ? "" : found->second;
}

// Every input the result rests on, with its value and where it comes from; then where a printed figure departs.
Table assumptions_table(const DealSetup& s, const RequestValues& v) {
  const DealPreset& p = *s.preset;
  const DealInputs& in = s.inputs;
  Table t;
  t.title = "Assumptions";
  t.columns = {Column{"key", "key"}, Column{"value", "value", 1, 4}, Column{"unit", "unit"}, Column{"source", "source"}};
  auto given = [&](const std::string& field, const std::string& key) {
    return v.has(field) ? std::string("given by the user") : source_of(p, key);
  };
  auto add = [&](const std::string& key, double value, const std::string& unit, const std::string& source) {
    t.rows.push_back({key, value, unit, source});
  };
  add("rental_usd_per_hour", in.rental_usd_per_hour, "USD/system-hour", given("rental_usd_per_hour", "rental_usd_per_hour"));
  add("rerental_usd_per_hour", in.rerental_usd_per_hour, "USD/system-hour",
      v.has("rerental_usd_per_hour") ? "given by the user"
                                     : "assumption: re-rented at the term's rate (the MRA lets a term extend to 5 years); "
                                       "the sensitivity shows other rates");
  add("billed_utilization", in.billed_utilization, "fraction", given("billed_utilization", "billed_utilization"));
  add("hours_per_year", in.hours_per_month * 12, "h", "TCO inputs: hours per month x 12 (catalog/economics.toml)");
  add("operating_cost_per_month_usd", in.operating_cost_per_month_usd, "USD/month",
      fmt::format("TCO model (econ/tco.h): power at {:.0f}% draw, PUE, colocation, remote hands, internet",
                  100 * s.tco_utilization));
  add("capex_usd", in.capex_usd, "USD", v.has("capex_usd") ? "given by the user" : "TCO model's upfront capex (catalog/economics.toml)");
  add("term_years", in.term_years, "y", given("term_years", "locked_in_term_years"));
  add("lifetime_years", in.lifetime_years, "y", given("lifetime_years", "expected_lifetime_years"));
  add("accounting_life_years", in.accounting_life_years, "y", given("accounting_life_years", "accounting_life_years"));
  add("prepay_usd", in.prepay_usd, "USD/system", given("prepay_usd", "prepay_usd"));
  add("prepay_years", in.prepay_years, "y", given("prepay_years", "prepay_years"));
  add("cost_of_capital", in.cost_of_capital, "fraction/y", given("cost_of_capital", "cost_of_capital"));
  add("shutdown_ebitda_margin", in.shutdown_ebitda_margin, "fraction", given("shutdown_ebitda_margin", "shutdown_ebitda_margin"));
  add("systems", s.systems, "systems", fmt::format("derived: {:.0f} MW / {:.1f} kW all-in per system (TCO inputs)",
                                                     p.capacity_mw, p.capacity_mw * 1e3 / s.systems));
  add("warrant_contra_revenue_usd", s.warrant_contra_usd, "USD",
      fmt::format("derived: {:.0f} shares x {:.2f} USD (S-1 fair value) = {:.1f}% of the {:.1f}B contract; {}", p.warrant_shares,
                  p.warrant_fair_value_usd_per_share, 100 * s.warrant_contra_usd / s.contract->contract_value_usd,
                  s.contract->contract_value_usd / 1e9,
                  s.warrant_deducted ? "deducted from revenue over the term (--warrant deduct)"
                                     : "not deducted: the contract value and its implied rental are printed net of it"));
  add("warrant_contra_revenue_usd_per_system_hour", s.warrant_contra_usd / s.systems / (in.term_years * in.hours_per_month * 12),
      "USD/system-hour", "derived: spread over the systems and the term");
  add("loan_usd_per_system", p.loan_usd / s.systems, "USD/system",
      fmt::format("derived: {:.1f}B loan / systems; {:.0f}% interest waived where repaid in capacity, so it is the prepay "
                  "above, credited over {} y, at no interest", p.loan_usd / 1e9, 100 * p.loan_interest_rate, in.prepay_years));
  add("tax_rate", 0, "fraction", "assumption: project figures are pre-tax and unlevered (the source gives no tax rate)");
  return t;
}

// Where the inputs used depart from a printed figure, and why.
std::vector<std::string> departures(const DealSetup& s) {
  const DealPreset& p = *s.preset;
  const DealInputs& in = s.inputs;
  std::vector<std::string> notes;
  const double contract_per_system = in.rental_usd_per_hour * in.hours_per_month * 12 * in.term_years;
  notes.push_back(fmt::format("prepay: printed as {:.0f}% of the contract, i.e. {:.0f} USD of the {:.0f} USD per-system "
                              "contract; the printed 40,000 USD per system (= the loan / systems, {:.1f}%) is used",
                              100 * p.prepay_fraction_printed, p.prepay_fraction_printed * contract_per_system,
                              contract_per_system, 100 * in.prepay_usd / contract_per_system));
  const double rental_from_value = s.contract->contract_value_usd / (s.systems * in.term_years * in.hours_per_month * 12);
  notes.push_back(fmt::format("rental: {:.1f}B / ({:.0f} systems x {} y x 8760 h) = {:.2f} USD/h against the printed {:.2f} "
                              "({:+.2f}%); the printed rental is used",
                              s.contract->contract_value_usd / 1e9, s.systems, in.term_years, rental_from_value,
                              p.rental_usd_per_hour, 100 * (p.rental_usd_per_hour / rental_from_value - 1)));
  if (std::abs(s.tco.capex_usd - p.server_capex_published_usd) > 0.5)
    notes.push_back(fmt::format("capex: the TCO model gives {:.0f} USD, the deal model prints {:.0f}", s.tco.capex_usd,
                                p.server_capex_published_usd));
  return notes;
}

Table sensitivity_table(const std::vector<SensitivitySeries>& series) {
  Table t;
  t.title = "Project IRR sensitivity (one input swept, the rest held)";
  t.columns = {Column{"axis", "axis"}, Column{"value", "value", 1, 2}, Column{"project_irr", "project IRR %", 0.01, 1},
               Column{"npv_usd", "NPV USD", 1, 0}};
  for (const auto& s : series)
    for (const auto& p : s.points) t.rows.push_back({to_string(s.axis), p.value, p.project_irr, p.npv_usd});
  return t;
}

std::vector<double> steps(double from, double to, double step) {
  std::vector<double> values;
  for (int i = 0; from + i * step <= to + 1e-9; ++i) values.push_back(from + i * step);
  return values;
}

std::vector<SensitivitySeries> sensitivity(const DealSetup& s) {
  const DealInputs& in = s.inputs;
  // Grids: rental 10-80 USD/h (a quarter to twice the printed rental), utilisation 30-100%, lifetime term to 10 years.
  return {{DealAxis::rental, irr_sensitivity(in, DealAxis::rental, steps(10, 80, 5), s.rerental_follows_rental),
           in.rental_usd_per_hour},
          {DealAxis::billed_utilization,
           irr_sensitivity(in, DealAxis::billed_utilization, steps(0.3, 1.0, 0.05), s.rerental_follows_rental),
           in.billed_utilization},
          {DealAxis::lifetime,
           irr_sensitivity(in, DealAxis::lifetime, steps(in.term_years, std::max(10, in.term_years), 1),
                           s.rerental_follows_rental),
           static_cast<double>(in.lifetime_years)}};
}

nlohmann::ordered_json rows(const Table& table) { return nlohmann::ordered_json::parse(render(table, Format::json)); }

// Which departing rows print the next row's value / term: a table shifted by one row as published.
std::string shifted_row_note(const std::vector<ContractReview>& reviews) {
  int departing = 0, shifted = 0;
  std::string others;
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    if (!reviews[i].departs) continue;
    ++departing;
    const auto& m = reviews[i].matches;
    if (i + 1 < reviews.size() && std::find(m.begin(), m.end(), reviews[i + 1].contract->name) != m.end()) ++shifted;
    else others += (others.empty() ? "" : ", ") + reviews[i].contract->name;
  }
  return fmt::format("{} of the {} departing rows print the next row's value / term (the printed row shifted by one); "
                     "not explained: {}. The recomputed figure is the one to use",
                     shifted, departing, others.empty() ? std::string("none") : others);
}

CommandOutput contracts_output(const Catalog& catalog) {
  const auto reviews = review_contracts(catalog.contracts);
  Table t;
  t.title = "Capacity contracts (as published; implied annual revenue recomputed as value / term)";
  t.columns = {Column{"name", "contract"}, Column{"announced", "announced"}, Column{"chip", "chip"},
               Column{"contract_value_usd", "value B USD", 1e9, 1}, Column{"term_years", "term y", 1, 0, true},
               Column{"implied_annual_revenue_usd", "revenue/y B USD", 1e9, 2},
               Column{"implied_annual_revenue_printed_usd", "printed B USD", 1e9, 1},
               Column{"critical_it_mw", "critical IT MW", 1, 0},
               Column{"annual_revenue_per_mw_usd", "revenue/y per MW M USD", 1e6, 2},
               Column{"contract_value_per_mw_usd", "value per MW M USD", 1e6, 1},
               Column{"ebit_margin_deal_term", "EBIT deal term %", 0.01, 1},
               Column{"ebit_margin_accounting_policy", "EBIT policy %", 0.01, 1},
               Column{"ebit_margin_6y", "EBIT 6 y %", 0.01, 1}, Column{"second_figures", "second figures printed"}};
  Table d;
  d.title = "Departures: printed implied annual revenue against value / term (beyond the 0.05B of rounding)";
  d.columns = {Column{"name", "contract"}, Column{"implied_annual_revenue_printed_usd", "printed B USD", 1e9, 1},
               Column{"implied_annual_revenue_usd", "value/term B USD", 1e9, 2},
               Column{"departure_usd", "printed - recomputed B USD", 1e9, 2},
               Column{"printed_matches", "printed figure equals value/term of"}};
  for (const auto& r : reviews) {
    const Contract& c = *r.contract;
    const std::string second = c.second_printed ? fmt::format("{:.1f}% / {:.1f}% / {:.1f}%", 100 * c.second_printed->deal_term,
                                                              100 * c.second_printed->accounting_policy,
                                                              100 * c.second_printed->six_years)
                                                : "";
    t.rows.push_back({c.name, c.announced, c.chip, c.contract_value_usd, static_cast<double>(c.term_years),
                      r.implied_annual_revenue_usd, c.implied_annual_revenue_printed_usd, c.critical_it_mw,
                      r.annual_revenue_per_mw_usd, r.contract_value_per_mw_usd, c.printed.deal_term,
                      c.printed.accounting_policy, c.printed.six_years, second});
    if (!c.note.empty()) t.notes.push_back(c.name + ": " + c.note);
    if (r.departs) {
      std::string matches;
      for (const auto& m : r.matches) matches += (matches.empty() ? "" : ", ") + m;
      d.rows.push_back({c.name, c.implied_annual_revenue_printed_usd, r.implied_annual_revenue_usd, r.departure_usd,
                        matches.empty() ? std::string("no contract") : matches});
    }
  }
  d.notes.push_back(shifted_row_note(reviews));
  CommandOutput out;
  out.api = {{"contracts", rows(t)}, {"departures", rows(d)}};
  out.tables = {std::move(t), std::move(d)};
  return out;
}

}  // namespace

Command deal_command() {
  Command c{"deal", "A capacity contract's cash flows per system: project IRR, NPV, payback, year-1 EBIT margins", deal_fields()};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const DealSetup s = resolve(ctx, v);  // validates every field, also under --contracts
    if (v.flag("contracts")) return contracts_output(ctx.catalog);
    const DealResult r = project_deal(s.inputs);
    CommandOutput out;
    out.tables = {result_table(s, r), margins_table(s, r), interpretations_table(s), assumptions_table(s, v)};
    out.tables.back().notes = departures(s);
    out.api = {{"deal", rows(out.tables[0])}, {"margins", rows(out.tables[1])},
               {"readings", rows(out.tables[2])}, {"assumptions", rows(out.tables[3])}};
    if (v.flag("sensitivity") || v.has("plot")) {
      const auto series = sensitivity(s);
      out.tables.push_back(sensitivity_table(series));
      out.api["sensitivity"] = rows(out.tables.back());
      if (v.has("plot")) {
        plot_deal_sensitivity(series, r.project_irr,
                              fmt::format("Project IRR per {} system, {} preset", s.tco.system, s.preset->name), v.text("plot"));
        out.files.push_back(v.text("plot"));
      }
    }
    return out;
  };
  return c;
}

}  // namespace ws
