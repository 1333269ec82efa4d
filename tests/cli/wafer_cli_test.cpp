// End-to-end tests of `waferscope wafer`: the yield table at the published density, the route-around penalty, the
// deployment picture's bands, seeds, and bad input (exit 2 naming the flag).
#include <gtest/gtest.h>

#include "cli/run_binary.h"
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using ws::test::Result;
using ws::test::run;

// A quick request: the route-around broadcast on a 64x64 region, few Monte-Carlo maps.
const std::string kQuick = "wafer --region 64x64 --trials 2 --format json";

TEST(CliWafer, PublishedDensityYieldsEveryWaferAndFewH100Dies) {
  const Result r = run(kQuick);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const auto& rows = j["yield"];
  ASSERT_GE(rows.size(), 6u);
  EXPECT_EQ(rows[0]["scope"], "wafer: row repair");
  EXPECT_EQ(rows[0]["yield"], 1.0);  // 66 spares a row against ~0.04 dead tiles a row
  EXPECT_EQ(rows[0]["monte_carlo_yield"], 1.0);
  EXPECT_EQ(rows[0]["enabled_cores"], 762 * 1172);
  EXPECT_NEAR(rows[0]["expected_defects"].get<double>(), 46.2, 0.1);
  bool h100 = false, no_spares = false;
  for (const auto& row : rows) {
    if (row["scope"] == "H100 die (Poisson)") {
      h100 = true;
      EXPECT_NEAR(row["yield"].get<double>(), 0.443082, 1e-6);  // exp(-0.001 x 814)
    }
    if (row["scope"] == "wafer: no spares (Poisson)") {
      no_spares = true;
      EXPECT_LT(row["yield"].get<double>(), 1e-19);  // exp(-46.225)
    }
  }
  EXPECT_TRUE(h100 && no_spares) << r.output;
}

TEST(CliWafer, RouteAroundPenaltyIsAtLeastOneAndSeedsRepeat) {
  const std::string base = kQuick + " --defect-density 0.2";
  const Result a = run(base + " --seed 3"), b = run(base + " --seed 3");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(a.output, b.output);
  const auto j = nlohmann::json::parse(a.output);
  for (const auto& row : j["route_around"]) {
    EXPECT_GE(row["penalty"].get<double>(), 1.0) << row;
    EXPECT_GE(row["defect_cycles"].get<double>(), row["clean_cycles"].get<double>()) << row;
  }
  EXPECT_GT(j["route_around"][1]["dead_tiles"].get<double>(), 0);
}

TEST(CliWafer, DeploymentPlacesEveryLayerOnItsWafer) {
  const Result r = run(kQuick + " --model llama-3.1-70b --devices 4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  const auto& bands = j["deployment"];
  ASSERT_FALSE(bands.empty());
  int attention = 0, token_stops = 0, last_wafer = 0;
  for (const auto& b : bands) {
    if (b["part"] == "attention") ++attention;
    if (b["token"] == "yes") ++token_stops;
    last_wafer = std::max(last_wafer, b["wafer"].get<int>());
  }
  EXPECT_EQ(attention, 80);  // every decoder layer once
  EXPECT_EQ(last_wafer, 3);
  EXPECT_EQ(bands[0]["part"], "embedding");
  EXPECT_EQ(bands[bands.size() - 1]["part"], "head");
  EXPECT_EQ(token_stops, static_cast<int>(bands.size()));  // a dense model's token passes every band
}

TEST(CliWafer, MoeTokenVisitsItsRoutedExperts) {
  const Result r = run(kQuick + " --model gpt-oss-120b");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  int expert_bands = 0;
  for (const auto& b : j["deployment"])
    if (b["part"].get<std::string>().rfind("experts", 0) == 0) {
      ++expert_bands;
      EXPECT_EQ(b["token"].get<std::string>().rfind("expert ", 0), 0u) << b;
    }
  EXPECT_EQ(expert_bands, 36);
}

TEST(CliWafer, PlotWritesAFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("ws_wafer_plot_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string deployment = (dir / "deploy.svg").string(), defects = (dir / "defects.svg").string();
  const Result a = run(kQuick + " --model llama-3.1-8b --plot " + deployment);
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_GT(std::filesystem::file_size(deployment), 1000u);
  const Result b = run(kQuick + " --defect-density 0.1 --plot " + defects);
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_GT(std::filesystem::file_size(defects), 1000u);
  std::filesystem::remove_all(dir);
}

TEST(CliWafer, BadInputIsExitTwoNamingTheFlag) {
  const struct { const char* args; const char* says; } cases[] = {
      {"wafer --chip wse-9", "--chip: unknown"},
      {"wafer --chip h100", "--chip: expected a wafer"},
      {"wafer --defect-density 1", "--defect-density"},
      {"wafer --defect-density -0.1", "--defect-density"},
      {"wafer --defect-density x", "--defect-density"},
      {"wafer --seed 1.5", "--seed"},
      {"wafer --seed x", "--seed"},
      {"wafer --trials 0", "--trials"},
      {"wafer --model llama-3.1-8b --devices 0", "--devices"},
      {"wafer --model llama-3.1-8b --devices 33", "--devices: expected at most 32 wafers"},
      {"wafer --compare wse-3", "--compare: expected a chip with a die_area_mm2"},
      {"wafer --region 2000x2000", "--region"},
      {"wafer --model nope-1b", "--model"},
      {"wafer --plot out.gif", "--plot"},
  };
  for (const auto& c : cases) {
    const Result r = run(std::string(c.args) + " --region 16x16 --trials 1");
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}

}  // namespace
