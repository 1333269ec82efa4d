// End-to-end tests of the waferscope binary: exit codes, messages and machine-readable output.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Result run(const std::string& arguments) {
  const std::string command = std::string(WAFERSCOPE_BINARY) + " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(Cli, UnknownModelNamesItAndTheClosest) {
  const Result r = run("footprint --model llama-3.1-9b");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown model 'llama-3.1-9b'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("llama-3.1-8b"), std::string::npos) << r.output;
}

TEST(Cli, UnknownHardwareNamesItAndTheClosest) {
  const Result r = run("deploy --model llama-3.1-8b --hardware wse3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--hardware: unknown hardware 'wse3'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("wse-3"), std::string::npos);
}

TEST(Cli, MalformedConfigNamesFileAndKey) {
  const Result r = run("footprint --model " + ws::test::data_path("bad_configs/missing_hidden_size.json"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("missing_hidden_size.json: key 'hidden_size'"), std::string::npos) << r.output;
}

TEST(Cli, BadFlagValuesAreRejected) {
  EXPECT_NE(run("chips --format xml").exit_code, 0);
  EXPECT_NE(run("footprint --context -5").exit_code, 0);
  EXPECT_NE(run("footprint --kv-dtype fp7").exit_code, 0);
  EXPECT_NE(run("gemm --shape 1,2").exit_code, 0);
  EXPECT_NE(run("deploy --model llama-3.1-8b --hardware cs-3 --concurrency 0").exit_code, 0);
  EXPECT_NE(run("tco --hardware h100").exit_code, 0);
  EXPECT_NE(run("no-such-command").exit_code, 0);
}

TEST(Cli, FootprintJsonHasStableSiFields) {
  const Result r = run("footprint --model llama-3.1-8b --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = nlohmann::json::parse(r.output);
  ASSERT_EQ(rows.size(), 1u);
  for (const char* key : {"total_params", "active_params", "attention_params", "ffn_params", "kv_bytes_per_token",
                          "kv_bytes_128k", "checkpoint_bytes"})
    EXPECT_TRUE(rows[0].contains(key)) << key;
  EXPECT_EQ(rows[0]["kv_bytes_per_token"].get<long long>(), 131072);
  EXPECT_EQ(rows[0]["kv_bytes_128k"].get<double>(), 131072.0 * 128000);
}

TEST(Cli, DeployCsvAndTcoJson) {
  const Result d = run("deploy --model llama-3.1-405b --hardware cs-3 --weight-dtype bf16 --format csv");
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NE(d.output.find("min_devices"), std::string::npos);
  EXPECT_NE(d.output.find("llama-3.1-405b,cs-3,layer_boundaries,bf16,bf16,"), std::string::npos) << d.output;
  const Result t = run("tco --hardware cs-3 --format json");
  ASSERT_EQ(t.exit_code, 0) << t.output;
  const auto rows = nlohmann::json::parse(t.output);
  EXPECT_NEAR(rows[0]["tco_per_hour_usd"].get<double>(), 23.35, 0.005);
  EXPECT_NEAR(rows[0]["capex_usd"].get<double>(), 478178, 0.5);
}

TEST(Cli, GemmDefaultsToTheSourceShapesOnEveryChip) {
  const Result r = run("gemm --format csv");
  ASSERT_EQ(r.exit_code, 0);
  int lines = 0;
  for (char c : r.output) lines += c == '\n';
  EXPECT_EQ(lines, 1 + 8 * 14);
  EXPECT_NE(r.output.find("arithmetic_intensity"), std::string::npos);
}

TEST(Cli, ChipsRelativeToGb300) {
  const Result r = run("chips --relative-to GB300 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = nlohmann::json::parse(r.output);
  for (const auto& row : rows)
    if (row["name"] == "wse-3") {
      EXPECT_NEAR(row["memory_bandwidth_ratio"].get<double>(), 2625, 1e-9);
    }
}

TEST(Cli, EveryListingCommandRunsInEveryFormat) {
  for (const char* command : {"chips", "systems", "models"})
    for (const char* format : {"table", "csv", "json", "md"}) {
      const Result r = run(std::string(command) + " --format " + format);
      EXPECT_EQ(r.exit_code, 0) << command << " " << format << "\n" << r.output;
    }
}

}  // namespace

namespace {

TEST(CliTokenomics, CostFeasibilityDisaggOffloadRun) {
  const Result cost = run("cost --model gpt-oss-120b --hardware cs-3 --isl 96300 --format json");
  ASSERT_EQ(cost.exit_code, 0) << cost.output;
  const auto rows = nlohmann::json::parse(cost.output);
  ASSERT_EQ(rows.size(), 2u);  // physical and calculator
  for (const char* key : {"usd_per_mtok", "usd_per_mtok_output", "usd_per_mtok_cache_read", "usd_per_mtok_cache_write",
                          "usd_per_mtok_input", "gross_margin"})
    EXPECT_TRUE(rows[0].contains(key)) << key;
  EXPECT_NEAR(rows[1]["usd_per_mtok"].get<double>(), 0.19, 0.01);
  EXPECT_EQ(run("feasibility --hardware cs-3 --format csv").exit_code, 0);
  EXPECT_EQ(run("disagg --model gpt-oss-120b --prefill dgx-b300 --decode cs-3 --workload 8k-1k").exit_code, 0);
  EXPECT_EQ(run("offload --model gpt-oss-120b").exit_code, 0);
  EXPECT_EQ(run("workloads --format json").exit_code, 0);
}

TEST(CliTokenomics, BadInputIsNamed) {
  Result r = run("cost --model gpt-oss-120b --hardware cs-3 --price free");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--price"), std::string::npos);
  r = run("cost --model gpt-oss-120b --hardware cs-3 --workload " + ws::test::data_path("bad_workloads/mix_not_one.toml"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("mix_not_one.toml"), std::string::npos);
  EXPECT_NE(run("cost --model gpt-oss-120b --hardware cs-3 --workload agentic").exit_code, 0);
  EXPECT_NE(run("frontier --model gpt-oss-120b --hardware cs-3 --normalize watts").exit_code, 0);
  EXPECT_NE(run("offload --model gpt-oss-120b --hardware dgx-b300").exit_code, 0);
}

}  // namespace

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(CliSimulate, SameCommandSameBytes) {
  const std::string base = std::filesystem::temp_directory_path() / ("ws_sim_cli_" + std::to_string(::getpid()));
  const std::string command = "simulate --model gpt-oss-120b --hardware cs-3 --workload azure-conv --rate 5 --duration 20 --seed 3 --out ";
  ASSERT_EQ(run(command + base + "_a").exit_code, 0);
  ASSERT_EQ(run(command + base + "_b").exit_code, 0);
  for (const char* file : {"requests.csv", "timeseries.csv", "summary.csv", "summary.json"}) {
    const std::string a = slurp(base + "_a/" + file), b = slurp(base + "_b/" + file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, b) << file;
  }
  EXPECT_TRUE(std::filesystem::exists(base + "_a/latency_cdf.png"));
  std::filesystem::remove_all(base + "_a");
  std::filesystem::remove_all(base + "_b");
}

TEST(CliSimulate, RejectsNonPositiveRatesAndSlos) {
  const std::string base = "simulate --model gpt-oss-120b --hardware cs-3 --workload azure-conv --duration 10 ";
  Result r = run(base + "--rate 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--rate"), std::string::npos);
  r = run(base + "--rate 5 --slo-ttft -1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--slo-ttft"), std::string::npos);
  EXPECT_NE(run(base + "--rate abc").exit_code, 0);
  EXPECT_NE(run("simulate --model gpt-oss-120b --hardware cs-3").exit_code, 0);  // no traffic
  r = run("simulate --model gpt-oss-120b --hardware cs-3 --trace " + ws::test::data_path("bad_traces/backwards.jsonl"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("backwards.jsonl:2"), std::string::npos) << r.output;
}

}  // namespace
