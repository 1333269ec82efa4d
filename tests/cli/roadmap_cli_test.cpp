// End-to-end `waferscope roadmap`: every preset answers through the CLI and the API's JSON shape, and bad input
// exits 2 naming the flag.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/run_binary.h"

namespace {

using ws::test::Result;
using ws::test::run;

TEST(CliRoadmap, AnswersForEveryPresetWithAssumptions) {
  const Result r = run("roadmap --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  std::set<std::string> presets;
  for (const auto& row : j["designs"]) presets.insert(row["preset"].get<std::string>());
  for (const char* p : {"cs-3", "cs-4", "wse3-dram-wafer", "wse3-photonic-io", "wse-n2", "lp40"})
    EXPECT_TRUE(presets.count(p)) << p;
  EXPECT_FALSE(j["tensor_vs_pipeline"].empty());
  EXPECT_FALSE(j["feasibility"].empty());
  EXPECT_GE(j["assumptions"].size(), 20u);
}

TEST(CliRoadmap, DerivedHardwareRunsThroughPerf) {
  const Result r = run("perf --model llama-3.1-8b --hardware cs-4 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST(CliRoadmap, BadInputExitsTwoNamingTheFlag) {
  Result r = run("roadmap --preset cs-9");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--preset"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cs-9"), std::string::npos) << r.output;
  r = run("roadmap --context 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--context"), std::string::npos) << r.output;
  r = run("roadmap --feasibility-contexts 8k,abc");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--feasibility-contexts"), std::string::npos) << r.output;
}

}  // namespace
