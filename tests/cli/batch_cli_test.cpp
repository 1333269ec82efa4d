// simulate --batch FILE.toml: one summary row per scenario, each equal to that scenario's own simulate run; bad
// files rejected with file:line [scenario].key (one process here; over MPI ranks: mpi_cli_test.cpp).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/run_binary.h"
#include "test_support.h"

namespace {

using ws::test::Result;
using ws::test::run;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The one data row of a single simulate's CSV summary.
std::string single_row(const std::string& arguments) {
  const Result r = run("simulate " + arguments + " --format csv 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto lines = lines_of(r.output);
  EXPECT_EQ(lines.size(), 2u) << r.output;
  return lines.size() == 2 ? lines[1] : "";
}

const std::string batch = ws::test::data_path("batch/scenarios.toml");

TEST(Batch, OneRowPerScenarioInFileOrderEqualToItsOwnRun) {
  const Result r = run("simulate --batch " + batch + " --format csv 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = lines_of(r.output);
  ASSERT_EQ(lines.size(), 5u) << r.output;
  EXPECT_EQ(lines[0].rfind("scenario,deployment,requests,completed,", 0), 0u) << lines[0];
  const std::vector<std::pair<std::string, std::string>> scenarios = {
      {"cs3-poisson", "--model llama-3.1-8b --hardware cs-3 --workload 1k-1k --rate 2 --duration 10"},
      {"h100-closed-loop", "--model llama-3.1-8b --hardware dgx-h100 --tp 8 --workload 1k-1k --concurrency 16 --requests 200"},
      {"b300-bursty", "--model llama-3.1-8b --hardware dgx-b300 --workload 8k-1k --rate 1.5 --duration 10 --burstiness 0.5 --seed 7"},
      {"cs3-static-no-cache",
       "--model gpt-oss-120b --hardware cs-3 --workload 1k-1k --rate 4 --duration 5 --scheduler static --no-prefix-cache"}};
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& [name, arguments] = scenarios[i];
    EXPECT_EQ(lines[i + 1].rfind(name + ",", 0), 0u) << lines[i + 1];
    const std::string own = single_row(arguments);
    ASSERT_FALSE(own.empty());
    EXPECT_TRUE(lines[i + 1].ends_with("," + own)) << name << "\nbatch:  " << lines[i + 1] << "\nsingle: " << own;
  }
}

TEST(Batch, FlagsBesideTheFileApplyWhereAScenarioIsSilent) {
  const Result r = run("simulate --batch " + batch + " --seed 9 --format csv 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = lines_of(r.output);
  ASSERT_EQ(lines.size(), 5u) << r.output;
  // cs3-poisson sets no seed: it takes --seed 9, and its arrivals differ from seed 1's.
  const std::string seeded = single_row("--model llama-3.1-8b --hardware cs-3 --workload 1k-1k --rate 2 --duration 10 --seed 9");
  const std::string unseeded = single_row("--model llama-3.1-8b --hardware cs-3 --workload 1k-1k --rate 2 --duration 10");
  ASSERT_NE(seeded, unseeded);
  EXPECT_TRUE(lines[1].ends_with("," + seeded)) << lines[1];
  // b300-bursty sets seed = 7 itself: the flag does not override it.
  EXPECT_TRUE(lines[3].ends_with(
      "," + single_row("--model llama-3.1-8b --hardware dgx-b300 --workload 8k-1k --rate 1.5 --duration 10 --burstiness 0.5 --seed 7")))
      << lines[3];
}

TEST(Batch, BadFilesNameFileLineScenarioAndKey) {
  Result r = run("simulate --batch " + ws::test::data_path("batch/unknown_key.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown_key.toml:13 [typo].rat: unknown key 'rat' (closest: rate_scale, rate,"), std::string::npos) << r.output;

  r = run("simulate --batch " + ws::test::data_path("batch/bad_value.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad_value.toml:8 [zero-tp].tp: expected a whole number in [1, 4096]; got '0'"), std::string::npos)
      << r.output;

  r = run("simulate --batch " + ws::test::data_path("batch/out_key.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("out_key.toml:8 [with-out].out: 'out' is not taken in a batch"), std::string::npos) << r.output;

  r = run("simulate --batch " + ws::test::data_path("batch/no_such_file.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--batch: cannot read '" + ws::test::data_path("batch/no_such_file.toml") + "': no such file"),
            std::string::npos)
      << r.output;
}

TEST(Batch, ErrorsFromAFlagOrAScenarioRunSayWhichScenario) {
  // A flag beside the file that a scenario cannot take: named as the flag, in that scenario.
  Result r = run("simulate --batch " + batch + " --tp 3");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("scenarios.toml:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--tp"), std::string::npos) << r.output;
  // --out with --batch, and simulate without hardware or a batch, name their flag.
  r = run("simulate --batch " + batch + " --out /tmp/never-written");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--out: a batch writes one summary row per scenario"), std::string::npos) << r.output;
  r = run("simulate --model llama-3.1-8b --workload 1k-1k --rate 1 --duration 5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--hardware: missing"), std::string::npos) << r.output;
}

}  // namespace
