// The deal and bom commands end to end: the binary's output against the published figures, and bad input
// refused with exit code 2 naming the flag (CLI) or a 4xx naming the field (API).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/server.h"
#include "cli/run_binary.h"
#include "test_support.h"

namespace ws::test {
namespace {

using nlohmann::json;

const PerfEngine& engine() {
  static const PerfEngine e(catalog());
  return e;
}

// Published: year-1 EBIT margins of Cerebras-OpenAI 33.8% / 51.1% / 55.4% (catalog/published/deals.csv).
TEST(CliDeal, PresetReproducesThePublishedMarginsAndPrintsIrrNpvAndAssumptions) {
  const Result r = run("deal --preset cerebras-openai --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json out = json::parse(r.output);
  const json& deal = out["deal"][0];
  EXPECT_NEAR(deal["ebit_margin_deal_term"].get<double>(), 0.338, 0.003);
  EXPECT_NEAR(deal["ebit_margin_accounting_policy"].get<double>(), 0.511, 0.003);
  EXPECT_NEAR(deal["ebit_margin_6y"].get<double>(), 0.554, 0.003);
  EXPECT_TRUE(std::isfinite(deal["project_irr"].get<double>()));
  EXPECT_TRUE(deal.contains("npv_usd"));
  for (const auto& row : out["margins"]) EXPECT_LE(std::abs(row["difference_points"].get<double>()), 0.3) << row;
  std::set<std::string> keys;
  for (const auto& row : out["assumptions"]) {
    keys.insert(row["key"].get<std::string>());
    EXPECT_FALSE(row["source"].get<std::string>().empty()) << row;
  }
  for (const char* key : {"rental_usd_per_hour", "rerental_usd_per_hour", "billed_utilization", "operating_cost_per_month_usd",
                          "capex_usd", "term_years", "lifetime_years", "accounting_life_years", "prepay_usd", "prepay_years",
                          "cost_of_capital", "shutdown_ebitda_margin", "warrant_contra_revenue_usd", "loan_usd_per_system"})
    EXPECT_TRUE(keys.count(key)) << key;
}

TEST(CliDeal, ContractsListsElevenWithDepartures) {
  const Result r = run("deal --contracts --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json out = json::parse(r.output);
  ASSERT_EQ(out["contracts"].size(), 11u);
  for (const auto& c : out["contracts"])
    for (const char* key : {"contract_value_usd", "term_years", "implied_annual_revenue_usd", "annual_revenue_per_mw_usd"})
      EXPECT_TRUE(c.contains(key)) << key;
  EXPECT_EQ(out["departures"].size(), 8u);
  const Result text = run("deal --contracts");
  EXPECT_NE(text.output.find("not explained: Nscale-Microsoft Deal 1"), std::string::npos) << text.output;
}

TEST(CliDeal, SensitivityChartIsWritten) {
  const auto dir = std::filesystem::temp_directory_path() / "waferscope_deal_cli_test";
  std::filesystem::create_directories(dir);
  const Result r = run("deal --sensitivity --plot " + (dir / "irr.svg").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("lifetime_years"), std::string::npos);
  EXPECT_GT(std::filesystem::file_size(dir / "irr.svg"), 1000u);
  const Result b = run("bom --plot " + (dir / "bom.svg").string());
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_GT(std::filesystem::file_size(dir / "bom.svg"), 1000u);
  std::filesystem::remove_all(dir);
}

// Published: 341,962 and 464,484 USD (catalog/published/bom.csv), within 0.5%.
TEST(CliBom, TotalsThePublishedFiguresAndTakesADramPrice) {
  for (const auto& [scenario, published] : {std::pair<std::string, double>{"pre-hike", 341962}, {"post-hike", 464484}}) {
    const Result r = run("bom --hardware cs-3 --scenario " + scenario + " --format json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json out = json::parse(r.output);
    const json& total = out["lines"].back();
    EXPECT_EQ(total["item"], "total");
    EXPECT_NEAR(total["extended_cost_usd"].get<double>() / published, 1, 0.005) << scenario;
  }
  const json zero = json::parse(run("bom --dram-usd-per-gb 0 --format json").output);
  const json ten = json::parse(run("bom --dram-usd-per-gb 10 --format json").output);
  EXPECT_NEAR(ten["lines"].back()["extended_cost_usd"].get<double>() - zero["lines"].back()["extended_cost_usd"].get<double>(),
              61440, 1e-6);  // 6144 GB x 10 USD/GB
}

TEST(CliDeal, BadInputIsExitTwoNamingTheFlag) {
  const struct { const char* args; const char* says; } cases[] = {
      {"deal --preset nope", "--preset: unknown deal preset"},
      {"deal --rental-usd-per-hour -1", "--rental-usd-per-hour"},
      {"deal --rental-usd-per-hour 2e6", "--rental-usd-per-hour"},
      {"deal --rental-usd-per-hour x", "--rental-usd-per-hour"},
      {"deal --term-years 2.5", "--term-years"},
      {"deal --lifetime-years 2", "--lifetime-years: expected a lifetime of at least the term"},
      {"deal --lifetime-years 31", "--lifetime-years"},
      {"deal --prepay-years 6", "--prepay-years"},
      {"deal --prepay-usd 600000", "--prepay-usd"},
      {"deal --billed-utilization 1.5", "--billed-utilization"},
      {"deal --cost-of-capital 2", "--cost-of-capital"},
      {"deal --shutdown-ebitda-margin 2", "--shutdown-ebitda-margin"},
      {"deal --warrant gross", "--warrant: expected net or deduct"},
      {"deal --hardware nope", "--hardware"},
      {"deal --plot out.gif", "--plot"},
      {"bom --hardware h100", "--hardware: expected a system with a bill of materials"},
      {"bom --scenario mid", "--scenario: unknown scenario"},
      {"bom --dram-usd-per-gb -1", "--dram-usd-per-gb"},
      {"bom --dram-usd-per-gb 5000", "--dram-usd-per-gb"},
      {"bom --plot out.gif", "--plot"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(ApiDeal, AnswersAndRefusesBadFieldsWith4xx) {
  const auto post = [](const std::string& path, const std::string& body) {
    return handle_api(catalog(), engine(), "POST", path, body);
  };
  EXPECT_EQ(post("/api/deal", "{}").status, 200);
  EXPECT_EQ(post("/api/deal", R"({"contracts": true})").status, 200);
  EXPECT_EQ(post("/api/bom", R"({"scenario": "pre-hike"})").status, 200);
  const struct { const char* path; const char* body; const char* field; int status; } cases[] = {
      {"/api/deal", R"({"preset": "nope"})", "preset", 422},
      {"/api/deal", R"({"term_years": 2.5})", "term_years", 422},
      {"/api/deal", R"({"rental_usd_per_hour": "cheap"})", "rental_usd_per_hour", 400},
      {"/api/deal", R"({"lifetime_years": 2})", "lifetime_years", 422},
      {"/api/deal", R"({"plot": "x.png"})", "plot", 400},
      {"/api/bom", R"({"scenario": "mid"})", "scenario", 422},
      {"/api/bom", R"({"dram_usd_per_gb": -1})", "dram_usd_per_gb", 422},
  };
  for (const auto& c : cases) {
    const ApiResponse r = post(c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.body << "\n" << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["field"], c.field) << r.body;
  }
}

}  // namespace
}  // namespace ws::test
