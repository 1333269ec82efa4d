// A fleet in megawatts against the source's figures (catalog/published/cerebras_openai_deal.csv,
// economics_cs3.csv, wafer_and_system_facts.md), the revenue arithmetic on a hand-made operating point, and
// facilities.toml's loader rejecting bad entries with file:line.
#include "econ/fleet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/csv.h"
#include "core/error.h"
#include "test_support.h"

namespace ws {
namespace {
namespace fs = std::filesystem;

// A figure of one of the source's key,value CSVs.
double published(const std::string& file_name, const std::string& key) {
  const std::string file = test::catalog_path("published/" + file_name);
  for (const auto& row : read_csv(file).rows)
    if (row.at("key", file) == key) return csv_number(row, "value", file);
  ADD_FAILURE() << key << " not in " << file;
  return 0;
}

FleetPower cs3_fleet(double mw) {
  const Catalog& c = test::catalog();
  return fleet_power(c.hardware("cs-3"), c.economics_for("cs-3"), c.cooling_for("cs-3"), mw * 1e6);
}

// The deal: 750 MW at 30 kW all-in per CS-3 = 25,000 systems; facility power at the TCO model's PUE 1.35.
TEST(Fleet, TheDealsMegawattsInSystems) {
  const double mw = published("cerebras_openai_deal.csv", "capacity_committed");
  ASSERT_EQ(mw, 750);
  ASSERT_EQ(published("economics_cs3.csv", "all_in_power"), 30.0);
  const FleetPower f = cs3_fleet(mw);
  EXPECT_EQ(f.systems, 25000);
  EXPECT_DOUBLE_EQ(f.facility_w, 750e6 * published("economics_cs3.csv", "pue"));  // 1012.5 MW
  EXPECT_DOUBLE_EQ(f.chiller_load_w, 750e6);
  // Published: coolant ~100 L/min per CS-3 engine block at 25 kW (~21 C inlet).
  ASSERT_TRUE(f.coolant_l_per_min && f.coolant_inlet_c);
  EXPECT_DOUBLE_EQ(*f.coolant_l_per_min, 25000 * 100.0);
  EXPECT_EQ(*f.coolant_inlet_c, 21);
  // One watt short of a system's all-in power buys one fewer.
  EXPECT_EQ(cs3_fleet(0.03 * 1000 - 1e-6).systems, 999);
  EXPECT_EQ(cs3_fleet(0.03).systems, 1);
}

TEST(Fleet, PowerForLessThanOneSystemIsRefusedNamingTheField) {
  try {
    cs3_fleet(0.029);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "mw");
    EXPECT_NE(e.message().find("30 kW"), std::string::npos) << e.message();
  }
}

TEST(Fleet, NoCoolingFactsLeaveCoolantUnknown) {
  const Catalog& c = test::catalog();
  const FleetPower f = fleet_power(c.hardware("dgx-b300"), c.economics_for("dgx-b300"), c.cooling_for("dgx-b300"), 1e6);
  EXPECT_EQ(f.systems, 69);  // 1,000 kW / 14.3 kW
  EXPECT_FALSE(f.coolant_l_per_min);
}

// A hand-made operating point: 2 devices a replica, 900 input + 100 output tokens a request, 1,000 tokens/s, so one
// request a second; 10 systems of one chip = 5 replicas.
TEST(Fleet, TokensAndRevenueOfWholeReplicas) {
  const Catalog& c = test::catalog();
  FleetPower power;
  power.systems = 11;  // 5.5 replicas' worth: 5 whole ones
  CostResult cost;
  cost.devices = 2;
  cost.isl = 900;
  cost.osl = 100;
  cost.tokens_per_s = 1000;
  cost.cache_read.tokens_per_request = 800;
  cost.fresh_input.tokens_per_request = 100;
  cost.output.tokens_per_request = 100;
  PriceList prices;
  prices.name = "test";
  prices.cache_read_usd_per_mtok = 1;
  prices.fresh_input_usd_per_mtok = 10;
  prices.output_usd_per_mtok = 100;
  const FleetOutput o = fleet_output(power, c.hardware("wse-3"), cost, prices, 2.0);
  EXPECT_EQ(o.replicas, 5);
  EXPECT_DOUBLE_EQ(o.output_tokens_per_day, 5 * 100 * 86400.0);
  // Per request: 800 x 1 + 100 x 10 + 100 x 100 = 11,800 USD per million requests.
  EXPECT_NEAR(o.revenue_usd_per_year, 5 * 0.0118 * 86400 * 365, 1e-6);
  EXPECT_DOUBLE_EQ(*o.rental_usd_per_year, 11 * 2.0 * 8760);
}

// The tranches (250 MW a year, 2026-2028) against 43 MW leased by YE2026 and 180 - 40 (G42) = 140 MW by YE2027.
TEST(Fleet, ScheduleShortfallAgainstCapacityLinedUp) {
  const Catalog& c = test::catalog();
  const double tranche = published("cerebras_openai_deal.csv", "tranche_per_year");
  const double leased_2026 = published("cerebras_openai_deal.csv", "leased_by_ye2026");
  const double lined_up_2027 = published("cerebras_openai_deal.csv", "lined_up_by_ye2027") - 40;  // less G42's ~40 MW
  const auto years = capacity_schedule(c.capacity_plan("openai-cerebras", "plan"), 30e3);
  ASSERT_EQ(years.size(), 3u);
  const double required[] = {tranche, 2 * tranche, 3 * tranche};
  const double lined_up[] = {leased_2026, lined_up_2027, lined_up_2027};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(years[i].year, 2026 + i);
    EXPECT_DOUBLE_EQ(years[i].required_w, required[i] * 1e6);
    EXPECT_DOUBLE_EQ(years[i].lined_up_w, lined_up[i] * 1e6);
    EXPECT_DOUBLE_EQ(years[i].shortfall_w, (required[i] - lined_up[i]) * 1e6);
  }
  EXPECT_FALSE(years[2].lined_up_published);  // nothing published for 2028
  EXPECT_DOUBLE_EQ(years[2].required_systems, 25000);
}

// facilities.toml: a bad entry is an InputError naming file:line (and the key where there is one).
class FacilitiesFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const fs::path dir = fs::temp_directory_path() / ("ws_facilities_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "facilities.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  void TearDown() override { fs::remove_all(fs::temp_directory_path() / ("ws_facilities_" + std::to_string(::getpid()))); }
};

TEST_F(FacilitiesFile, RejectsBadEntriesNamingFileAndLine) {
  const std::string cooling = "[cooling.cs-3]\nsource = \"s\"\ncoolant_l_per_min_per_kw = 4\ncoolant_inlet_c = 21\n";
  const std::string plan = "[capacity_plan.p]\nsource = \"s\"\nsystem = \"cs-3\"\ntranches_mw = [[2026, 250]]\n"
                           "lined_up_mw = [[2026, 43]]\nlined_up_source = \"s\"\n";
  EXPECT_NO_THROW(load_catalog_file("facilities.toml", write(cooling + plan), test::catalog()));
  const struct { std::string text, says; } cases[] = {
      {cooling + "coolant_lpm = 4\n", "facilities.toml:5 [cooling.cs-3].coolant_lpm: unknown key"},
      {"[cooling.cs-9]\nsource = \"s\"\ncoolant_l_per_min_per_kw = 4\ncoolant_inlet_c = 21\n", "unknown system 'cs-9'"},
      {"[cooling.cs-3]\nsource = \"s\"\ncoolant_inlet_c = 21\n", "coolant_l_per_min_per_kw"},
      {"[cooling.cs-3]\nsource = \"s\"\ncoolant_l_per_min_per_kw = -4\ncoolant_inlet_c = 21\n", "coolant_l_per_min_per_kw"},
      {"[heating.cs-3]\nsource = \"s\"\n", "unknown table 'heating'"},
      {"[capacity_plan.p]\nsource = \"s\"\nsystem = \"cs-3\"\ntranches_mw = [[2027, 250], [2026, 250]]\n"
       "lined_up_mw = [[2026, 43]]\nlined_up_source = \"s\"\n", "ascending"},
      {"[capacity_plan.p]\nsource = \"s\"\nsystem = \"cs-3\"\ntranches_mw = [[2026.5, 250]]\n"
       "lined_up_mw = [[2026, 43]]\nlined_up_source = \"s\"\n", "whole year"},
      {plan + "extra = 1\n", "[capacity_plan.p].extra: unknown key"},
  };
  for (const auto& c : cases) {
    try {
      load_catalog_file("facilities.toml", write(c.text), test::catalog());
      ADD_FAILURE() << "accepted:\n" << c.text;
    } catch (const InputError& e) {
      const std::string what = e.where() + ": " + e.message();
      EXPECT_NE(what.find(c.says), std::string::npos) << what;
      EXPECT_NE(what.find("facilities.toml:"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace ws
