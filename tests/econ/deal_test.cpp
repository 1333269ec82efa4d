#include "econ/deal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/error.h"
#include "econ/tco.h"
#include "test_support.h"

namespace ws {
namespace {

// The published contracts table (catalog/published/deals.csv, copied from the source analysis, May 2026).
std::map<std::string, CsvRow> published_contracts() {
  const std::string file = test::catalog_path("published/deals.csv");
  std::map<std::string, CsvRow> rows;
  for (const auto& row : read_csv(file).rows) rows.emplace(row.at("name", file), row);
  return rows;
}

// The first of "a/b" where two figures are printed.
double first_figure(const CsvRow& row, const std::string& column) {
  const std::string& text = row.at(column, "deals.csv");
  return std::stod(text.substr(0, text.find('/')));
}

DealInputs preset_inputs() {
  const auto& c = test::catalog();
  const DealPreset& p = c.deal_presets.at(0);
  const Tco tco = compute_tco(c.economics_for(p.hardware), c.hardware(p.hardware));
  DealInputs in;
  in.capex_usd = tco.capex_usd;
  in.rental_usd_per_hour = in.rerental_usd_per_hour = p.rental_usd_per_hour;
  in.billed_utilization = p.billed_utilization;
  in.operating_cost_per_month_usd = tco.operating_cost_per_month_usd;
  in.term_years = p.locked_in_term_years;
  in.lifetime_years = p.expected_lifetime_years;
  in.accounting_life_years = p.accounting_life_years;
  in.prepay_usd = p.prepay_usd;
  in.prepay_years = p.prepay_years;
  in.cost_of_capital = p.cost_of_capital;
  in.shutdown_ebitda_margin = p.shutdown_ebitda_margin;
  return in;
}

// Golden: the three year-1 EBIT margins the source prints for Cerebras-OpenAI (33.8% / 51.1% / 55.4%), within
// 0.3 points, from the preset's inputs and the TCO model's opex.
TEST(Deal, ReproducesThePublishedCerebrasOpenAiMargins) {
  const auto published = published_contracts();
  const CsvRow& row = published.at("Cerebras-OpenAI");
  const DealResult r = project_deal(preset_inputs());
  EXPECT_NEAR(r.ebit_margin_year1.deal_term, first_figure(row, "ebit_margin_deal_term"), 0.003);
  EXPECT_NEAR(r.ebit_margin_year1.accounting_policy, first_figure(row, "ebit_margin_accounting_policy"), 0.003);
  EXPECT_NEAR(r.ebit_margin_year1.six_years, first_figure(row, "ebit_margin_6y"), 0.003);
}

// The preset holds the published deal sheet's settings (catalog/published/cerebras_openai_deal.csv).
TEST(Deal, PresetIsThePublishedDealSheet) {
  const std::string file = test::catalog_path("published/cerebras_openai_deal.csv");
  std::map<std::string, std::string> sheet;
  for (const auto& row : read_csv(file).rows) sheet[row.at("key", file)] = row.at("value", file);
  const DealPreset& p = test::catalog().deal_presets.at(0);
  EXPECT_EQ(p.name, "cerebras-openai");
  EXPECT_DOUBLE_EQ(p.rental_usd_per_hour, std::stod(sheet.at("rental")));
  EXPECT_EQ(p.locked_in_term_years, std::stoi(sheet.at("locked_in_term")));
  EXPECT_EQ(p.expected_lifetime_years, std::stoi(sheet.at("expected_lifetime")));
  EXPECT_EQ(p.prepay_years, std::stoi(sheet.at("customer_prepay_period")));
  EXPECT_DOUBLE_EQ(p.prepay_fraction_printed, std::stod(sheet.at("customer_prepay_fraction")));
  EXPECT_DOUBLE_EQ(p.cost_of_capital, std::stod(sheet.at("cost_of_capital_for_npv")));
  EXPECT_DOUBLE_EQ(p.shutdown_ebitda_margin, std::stod(sheet.at("shutdown_ebitda_margin")));
  EXPECT_DOUBLE_EQ(p.server_capex_published_usd, std::stod(sheet.at("server_capex")));
  EXPECT_DOUBLE_EQ(p.loan_usd, std::stod(sheet.at("working_capital_loan")));
  EXPECT_DOUBLE_EQ(p.warrant_shares, std::stod(sheet.at("warrant_shares")));
  // "max contra-revenue ~2.74B USD": shares x fair value.
  EXPECT_NEAR(p.warrant_shares * p.warrant_fair_value_usd_per_share, 2.74e9, 0.005e9);
  // "40,000 USD per system" = the 1.0B loan over 750 MW at 30 kW per system.
  EXPECT_DOUBLE_EQ(p.prepay_usd, p.loan_usd / (p.capacity_mw * 1e3 / 30.0));
  EXPECT_EQ(p.sources.size(), 16u);  // every figure but the two names cites its source
}

TEST(Deal, IrrNpvAndPaybackOnHandWorkedFlows) {
  // -100 now, +110 in a month: 10% a month, (1.1)^12 - 1 a year.
  EXPECT_NEAR(annual_irr({-100, 110}), std::pow(1.1, 12) - 1, 1e-9);
  EXPECT_NEAR(npv_usd({-100, 110}, 0.0), 10, 1e-12);
  EXPECT_NEAR(npv_usd({-100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 121}, 0.21), -100 + 121 / 1.21, 1e-9);
  EXPECT_TRUE(std::isnan(annual_irr({-100, -1, -1})));
  EXPECT_TRUE(std::isnan(annual_irr({100, 1, 1})));
  // Cumulative -100, -60, -20, +20: zero crossed half way through month 3.
  EXPECT_NEAR(payback_years({-100, 40, 40, 40}), 2.5 / 12, 1e-12);
  EXPECT_TRUE(std::isnan(payback_years({-100, 10, 10})));
}

TEST(Deal, IrrZeroesTheNpvAndSitsAboveTheCostOfCapitalWhenNpvIsPositive) {
  const DealInputs in = preset_inputs();
  const DealResult r = project_deal(in);
  ASSERT_TRUE(std::isfinite(r.project_irr));
  EXPECT_NEAR(npv_usd(r.monthly_cash_flow_usd, r.project_irr), 0, 1e-3);
  EXPECT_EQ(r.npv_usd > 0, r.project_irr > in.cost_of_capital);
  EXPECT_EQ(r.monthly_cash_flow_usd.size(), 5u * 12 + 1);
  EXPECT_DOUBLE_EQ(r.monthly_cash_flow_usd[0], -in.capex_usd + in.prepay_usd);
  // Month 1: rental x 730 h less opex less 1/36 of the prepay; month 37: the prepay is paid back.
  EXPECT_NEAR(r.monthly_cash_flow_usd[1], 41.96 * 730 - in.operating_cost_per_month_usd - 40000.0 / 36, 1e-6);
  EXPECT_NEAR(r.monthly_cash_flow_usd[37], 41.96 * 730 - in.operating_cost_per_month_usd, 1e-6);
}

TEST(Deal, ShutsDownAfterTheTermBelowTheEbitdaThreshold) {
  DealInputs in = preset_inputs();
  // Opex ~7,029 USD/month: at 8 USD/h (5,840 USD/month) the EBITDA margin is -20%, below -10%.
  in.rerental_usd_per_hour = 8;
  const DealResult r = project_deal(in);
  EXPECT_TRUE(r.shut_down_after_term);
  EXPECT_NEAR(r.ebitda_margin_after_term, (8 * 730 - in.operating_cost_per_month_usd) / (8 * 730), 1e-12);
  for (std::size_t m = 37; m < r.monthly_cash_flow_usd.size(); ++m) EXPECT_EQ(r.monthly_cash_flow_usd[m], 0) << m;
  in.rerental_usd_per_hour = 9;  // 6,570 USD/month: -7%, above the threshold: re-rented at a loss
  EXPECT_FALSE(project_deal(in).shut_down_after_term);
}

TEST(Deal, SensitivityMovesTheRightWay) {
  const DealInputs in = preset_inputs();
  for (const DealAxis axis : {DealAxis::rental, DealAxis::billed_utilization}) {
    const auto points = irr_sensitivity(in, axis, axis == DealAxis::rental ? std::vector<double>{20, 40, 60}
                                                                           : std::vector<double>{0.5, 0.75, 1.0}, true);
    ASSERT_EQ(points.size(), 3u);
    EXPECT_LT(points[0].project_irr, points[1].project_irr) << to_string(axis);
    EXPECT_LT(points[1].project_irr, points[2].project_irr) << to_string(axis);
  }
  const auto lifetime = irr_sensitivity(in, DealAxis::lifetime, {2, 3, 5, 10}, true);
  ASSERT_EQ(lifetime.size(), 3u);  // 2 years is shorter than the term: skipped
  EXPECT_LT(lifetime[0].project_irr, lifetime[2].project_irr);
  EXPECT_TRUE(std::isfinite(lifetime[2].project_irr));
}

TEST(Deal, ImpliedLifeInvertsTheMargin) {
  const double margin = ebit_margin(367570, 84345, 478178, 5);
  EXPECT_NEAR(implied_depreciation_life_years(367570, 84345, 478178, margin), 5, 1e-9);
}

// The catalog's contracts are the published table, and the recomputed value / term departs from the printed
// implied annual revenue exactly where the arithmetic on the published figures says it does.
TEST(Deal, ContractsAreThePublishedElevenAndTheirDepartures) {
  const auto& contracts = test::catalog().contracts;
  const auto published = published_contracts();
  ASSERT_EQ(contracts.size(), 11u);
  for (const auto& c : contracts) {
    const CsvRow& row = published.at(c.name);
    EXPECT_DOUBLE_EQ(c.contract_value_usd, csv_number(row, "contract_value_usd", "deals.csv")) << c.name;
    EXPECT_EQ(c.term_years, static_cast<int>(csv_number(row, "term_years", "deals.csv"))) << c.name;
    EXPECT_DOUBLE_EQ(c.implied_annual_revenue_printed_usd, csv_number(row, "implied_annual_revenue_usd_printed", "deals.csv"));
    EXPECT_DOUBLE_EQ(c.critical_it_mw, csv_number(row, "critical_it_mw", "deals.csv")) << c.name;
    EXPECT_DOUBLE_EQ(c.printed.deal_term, first_figure(row, "ebit_margin_deal_term")) << c.name;
    EXPECT_DOUBLE_EQ(c.printed.accounting_policy, first_figure(row, "ebit_margin_accounting_policy")) << c.name;
    EXPECT_DOUBLE_EQ(c.printed.six_years, first_figure(row, "ebit_margin_6y")) << c.name;
  }
  const auto& oci = *std::find_if(contracts.begin(), contracts.end(), [](const Contract& c) { return c.name == "OCI-OpenAI"; });
  ASSERT_TRUE(oci.second_printed.has_value());
  EXPECT_DOUBLE_EQ(oci.second_printed->deal_term, 0.334);
  // 21/6 = 3.5, 27.6/3 = 9.2 and 4.0/3 = 1.33 match their printed 3.5, 9.2, 1.3; the other eight do not.
  const std::set<std::string> departing = {"GCP-Anthropic", "IREN-Microsoft", "Nscale-Microsoft Deal 2",
                                           "Coreweave-Meta Deal 1", "Coreweave-OpenAI Deal 3", "Nscale-Microsoft Deal 1",
                                           "OCI-OpenAI", "Nebius-Microsoft"};
  for (const auto& r : review_contracts(contracts)) {
    EXPECT_EQ(r.departs, departing.count(r.contract->name) == 1) << r.contract->name;
    EXPECT_NEAR(r.implied_annual_revenue_usd, r.contract->contract_value_usd / r.contract->term_years, 1);
    if (r.contract->name == "GCP-Anthropic") {  // printed 1.9 = IREN's 9.7 / 5
      EXPECT_EQ(r.matches, std::vector<std::string>{"IREN-Microsoft"});
      EXPECT_NEAR(r.annual_revenue_per_mw_usd, 42.0e9 / 5 / 788, 1);
    }
    if (r.contract->name == "Nscale-Microsoft Deal 1") EXPECT_TRUE(r.matches.empty());  // 0.8: no contract's
  }
}

std::string write(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("waferscope_deal_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Deal, LoadersRejectUnsourcedAndUnknownKeys) {
  std::ifstream in(test::catalog_path("deal_presets.toml"));
  const std::string preset((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const struct { const char* name; std::string text; const char* says; } cases[] = {
      {"presets_unsourced.toml", std::string(preset).replace(preset.find("cost_of_capital = \"published"), 0, "#"),
       "no one-line source"},
      {"presets_typo.toml", std::string(preset).replace(preset.find("capacity_mw = 750"), 0, "capacity_mv = 1\n"), "capacity_mv"},
  };
  for (const auto& c : cases) {
    const std::string path = write(c.name, c.text);
    EXPECT_THROW(
        {
          try {
            load_catalog_file("deal_presets.toml", path, test::catalog());
          } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(path + ":"), std::string::npos) << e.what();
            throw;
          }
        },
        InputError)
        << c.name;
    std::filesystem::remove(path);
  }
  const std::string path = write("deals_typo.toml", "[x]\nname = \"X\"\nannounced = \"2026\"\nchip = \"c\"\nsource = \"s\"\n"
                                                   "contract_value_usd = 1e9\nterm_years = 3\nimplied_annual_revenue_printed_usd = 1\n"
                                                   "critical_it_mw = 1\nebit_margin_deal_term = 0.1\nebit_margin_accounting_policy = 0.1\n"
                                                   "ebit_margin_6y = 0.1\nebit_margn_7y = 0.1\n");
  EXPECT_THROW(load_catalog_file("deals.toml", path, test::catalog()), InputError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ws
