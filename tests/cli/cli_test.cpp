// End-to-end tests of the waferscope binary: exit codes, messages and machine-readable output.
#include <gtest/gtest.h>

#include "cli/run_binary.h"
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

using ws::test::Result;
using ws::test::run;

TEST(Cli, UnknownModelNamesItAndTheClosest) {
  const Result r = run("footprint --model llama-3.1-9b");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown model 'llama-3.1-9b'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("llama-3.1-8b"), std::string::npos) << r.output;
}

TEST(Cli, UnknownHardwareNamesItAndTheClosest) {
  const Result r = run("deploy --model llama-3.1-8b --hardware wse3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--hardware: unknown hardware 'wse3'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("wse-3"), std::string::npos);
}

// --grid and --stack on wafers: a region outside the fabric, a grid on a GPU, a GPU stack on a wafer.
TEST(Cli, WaferGridAndStackErrorsNameTheFlag) {
  Result r = run("perf --model llama-3.1-8b --hardware wse-2 --grid 2000x420");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--grid: expected a region inside the 757x996 fabric"), std::string::npos) << r.output;
  r = run("perf --model llama-3.1-8b --hardware h100 --grid 420x420");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--grid: a region of cores is a wafer deployment"), std::string::npos) << r.output;
  r = run("perf --model llama-3.1-8b --hardware wse-2 --grid 20x20");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("does not fit 20x20 cores"), std::string::npos) << r.output;
  r = run("perf --model llama-3.1-8b --hardware cs-3 --stack vllm");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--stack: unknown wafer software stack 'vllm'"), std::string::npos) << r.output;
}

TEST(Cli, FrontierUnknownServingStackNamesTheFlag) {
  const Result r = run("frontier --model gpt-oss-120b --hardware dgx-h100 --stack ollama");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--stack: unknown serving stack 'ollama'"), std::string::npos) << r.output;
}

TEST(Cli, MalformedConfigNamesFileAndKey) {
  const Result r = run("footprint --model " + ws::test::data_path("bad_configs/missing_hidden_size.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("missing_hidden_size.json: key 'hidden_size'"), std::string::npos) << r.output;
}

TEST(Cli, BadFlagValuesAreRejected) {
  EXPECT_EQ(run("chips --format xml").exit_code, 2);
  EXPECT_EQ(run("footprint --context -5").exit_code, 2);
  EXPECT_EQ(run("footprint --kv-dtype fp7").exit_code, 2);
  EXPECT_EQ(run("gemm --shape 1,2").exit_code, 2);
  EXPECT_EQ(run("deploy --model llama-3.1-8b --hardware cs-3 --concurrency 0").exit_code, 2);
  EXPECT_EQ(run("tco --hardware h100").exit_code, 2);
  EXPECT_EQ(run("no-such-command").exit_code, 2);
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

// validate --format json: one document, one row per device class x group x metric with the protocol's fields.
TEST(Cli, ValidateJsonIsOneRowPerGroupAndMetric) {
  const Result r = run("validate --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = nlohmann::json::parse(r.output);
  // 17 GPU groups (6 + 4 with MTP + 7 disaggregated) x 3 metrics (throughput, speed per user, TTFT) + Groq
  // (statement: speed; LLMPerf: speed, TTFT) + 4 vendor peaks + 2 launch speeds + 6 WaferLLM grids
  ASSERT_EQ(rows.size(), 66u);
  for (const auto& row : rows)
    for (const char* key : {"device_class", "group", "metric", "n", "fit_median_ape", "cv_median_ape", "signed_median",
                            "worst_ape"})
      EXPECT_TRUE(row.contains(key)) << key;
  EXPECT_EQ(rows[0]["group"], "deepseek-r1 b200 sglang");
  EXPECT_EQ(rows[0]["n"], 23);
}

TEST(Cli, ValidateDrawsTheParityPlot) {
  const std::string file = (std::filesystem::temp_directory_path() / "waferscope_parity_test.png").string();
  std::filesystem::remove(file);
  const Result r = run("validate --plot " + file);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(std::filesystem::file_size(file), 10000u);
}

// A price of 1e308 USD per hour priced tokens at infinity; the library now refuses to print an infinity (an
// internal error, exit 1) and the request layer caps the price like usd_per_hour (exit 2).
TEST(Cli, HugePriceIsCappedNotPricedAtInfinity) {
  for (const char* command : {"cost --model gpt-oss-120b --hardware cs-3",
                              "simulate --model llama-3.1-8b --hardware cs-3 --workload 1k-1k --rate 1 --duration 5"}) {
    const Result r = run(std::string(command) + " --price 1e308");
    EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.output;
    EXPECT_NE(r.output.find("--price: expected at most 1000000 USD per system-hour"), std::string::npos) << r.output;
  }
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
  EXPECT_EQ(lines, 1 + 8 * 24);  // header + the source's 8 shapes on each of the catalog's 18 chips and 6 roadmap designs
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
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--price"), std::string::npos);
  r = run("cost --model gpt-oss-120b --hardware cs-3 --workload " + ws::test::data_path("bad_workloads/mix_not_one.toml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("mix_not_one.toml"), std::string::npos);
  EXPECT_EQ(run("cost --model gpt-oss-120b --hardware cs-3 --workload agentic").exit_code, 2);
  EXPECT_EQ(run("frontier --model gpt-oss-120b --hardware cs-3 --normalize watts").exit_code, 2);
  // The frontier sweeps MTP drafting or none; a vendor or draft-model method is named as refused.
  const Result vendor = run("frontier --model deepseek-r1 --hardware dgx-b300 --spec-decode vendor");
  EXPECT_EQ(vendor.exit_code, 2);
  EXPECT_NE(vendor.output.find("--spec-decode: the frontier sweeps none or mtp"), std::string::npos) << vendor.output;
  EXPECT_EQ(run("offload --model gpt-oss-120b --hardware dgx-b300").exit_code, 2);
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
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--rate"), std::string::npos);
  r = run(base + "--rate 5 --slo-ttft -1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--slo-ttft"), std::string::npos);
  EXPECT_EQ(run(base + "--rate abc").exit_code, 2);
  EXPECT_EQ(run("simulate --model gpt-oss-120b --hardware cs-3").exit_code, 2);  // no traffic
  r = run("simulate --model gpt-oss-120b --hardware cs-3 --trace " + ws::test::data_path("bad_traces/backwards.jsonl"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("backwards.jsonl:2"), std::string::npos) << r.output;
}

}  // namespace

// The crash and hang classes "Trustworthy inputs" found, each now a clear rejection with exit code 2.
TEST(Cli, ZeroParallelismIsRejectedNotADivisionByZero) {
  const Result sim = run("simulate --model llama-3.1-8b --hardware dgx-h100 --workload 1k-1k --rate 1 --duration 5 --tp 0");
  EXPECT_EQ(sim.exit_code, 2) << sim.output;
  EXPECT_NE(sim.output.find("--tp: expected a whole number in [1, 4096]; got '0'"), std::string::npos) << sim.output;
  const Result dis = run("disagg --model gpt-oss-120b --prefill dgx-b300 --decode cs-3 --prefill-tp 0");
  EXPECT_EQ(dis.exit_code, 2) << dis.output;
  EXPECT_NE(dis.output.find("--prefill-tp"), std::string::npos) << dis.output;
}

TEST(Cli, HugeValuesMeetTheirCapsWithTheReason) {
  const Result isl = run("perf --model llama-3.1-8b --hardware cs-3 --isl 1e12");
  EXPECT_EQ(isl.exit_code, 2);
  EXPECT_NE(isl.output.find("--isl: expected a token count"), std::string::npos) << isl.output;
  EXPECT_NE(isl.output.find("cap: the longest context of any catalog model is 10M tokens"), std::string::npos) << isl.output;
  const Result concurrency = run("simulate --model llama-3.1-8b --hardware cs-3 --workload 1k-1k --concurrency 1e12");
  EXPECT_EQ(concurrency.exit_code, 2);
  EXPECT_NE(concurrency.output.find("--concurrency"), std::string::npos) << concurrency.output;
  const Result requests = run("simulate --model llama-3.1-8b --hardware cs-3 --workload 1k-1k --concurrency 4 --requests 99999999999");
  EXPECT_EQ(requests.exit_code, 2);
  EXPECT_NE(requests.output.find("--requests"), std::string::npos) << requests.output;
}

TEST(Cli, FractionalCountsAreRejected) {
  const Result r = run("perf --model llama-3.1-8b --hardware dgx-h100 --tp 2.5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("a count cannot be fractional"), std::string::npos) << r.output;
  EXPECT_EQ(run("deploy --model llama-3.1-8b --hardware cs-3 --concurrency 1.5").exit_code, 2);
}

TEST(Cli, ParserErrorsAreExitCodeTwo) {
  for (const char* args : {"perf --model llama-3.1-8b --hardware cs-3 --no-such-flag 1", "perf --model", "perf extra positional",
                           "", "--catalog", "perf --model llama-3.1-8b --hardware cs-3 --isl 1 --isl 2"}) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find("waferscope: error:"), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_EQ(run("--help").exit_code, 0);
  EXPECT_EQ(run("perf --help").exit_code, 0);
}

// A catalog whose decode-limit recipe row names no measured run: exit 2, the file and line named (not a crash, not a
// silently unlimited run).
TEST(Cli, BrokenDecodeLimitRowIsExitCodeTwo) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("ws_cli_catalog_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::copy(WAFERSCOPE_CATALOG_DIR, root, fs::copy_options::recursive);
  const fs::path file = root / "measurements" / "inferencex_dynamo_decode_batch.csv";
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  std::string csv = text.str();
  const std::string row = "h100,dynamo-trt,none,1024,1024,6,16,48,";
  const auto at = csv.find(row);
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, row.size(), "h100,dynamo-trt,none,1024,1024,7,16,48,");
  std::ofstream(file) << csv;
  const Result r = run("--catalog " + root.string() + " validate");
  fs::remove_all(root);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("inferencex_dynamo_decode_batch.csv:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("matches no disaggregated run"), std::string::npos) << r.output;
}

TEST(Cli, InfeasibleIsExitCodeTwo) {
  const Result r = run("perf --model llama-3.1-405b --hardware h100 --devices 1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("waferscope: infeasible:"), std::string::npos) << r.output;
}

TEST(Cli, SimulateOnABareChipNeedsNoPrice) {
  const Result r = run("simulate --model llama-3.1-8b --hardware h100 --workload 1k-1k --rate 1 --duration 5 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = nlohmann::json::parse(r.output);
  EXPECT_GT(rows[0]["completed"].get<double>(), 0);
  EXPECT_TRUE(rows[0]["usd_per_mtok"].is_null());  // no price asked, none invented
}

TEST(Cli, SimulatePricesAFractionOfASystem) {
  // TP 4 on an 8-GPU DGX occupies half a system: priced at half the system's USD/h, not at 0 (integer division).
  const std::string base = "simulate --model llama-3.1-8b --hardware dgx-h100 --workload 1k-1k --rate 2 --duration 20 --price 100 --format json";
  const Result half = run(base + " --tp 4"), whole = run(base + " --tp 8");
  ASSERT_EQ(half.exit_code, 0) << half.output;
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  const auto h = nlohmann::json::parse(half.output)[0], w = nlohmann::json::parse(whole.output)[0];
  ASSERT_GT(h["usd_per_mtok"].get<double>(), 0);
  // Same traffic and about the same duration: half the systems cost about half as much per token.
  const double ratio = (h["usd_per_mtok"].get<double>() / h["duration_s"].get<double>()) /
                       (w["usd_per_mtok"].get<double>() / w["duration_s"].get<double>());
  EXPECT_NEAR(ratio, 0.5, 0.01) << half.output << whole.output;
}

namespace ws {
namespace {

// waferscope fabric: closed form and simulation side by side; bad input names the flag (exit 2).
TEST(CliFabric, BroadcastAlongARowMatchesItsClosedForm) {
  // WSE-3: ramp 2, hop 2 cycles, 4 bytes per cycle; 1 x 100 cores, 1024 bf16 elements (512 wavelets):
  // 2 + 99 x 2 + 2 + 512 = 714 cycles at 1.1 GHz.
  const Result r = run("fabric --kernel broadcast --region 1x100 --size 1024 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = nlohmann::json::parse(r.output);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["simulated_cycles"], 714);
  EXPECT_NEAR(rows[0]["simulated_s"].get<double>(), 714 / 1.1e9, 1e-15);
  EXPECT_NEAR(rows[0]["analytic_s"].get<double>(), 714 / 1.1e9, 1e-15);
  EXPECT_EQ(rows[0]["critical_hops"], 99);
}

TEST(CliFabric, SameSeedSameAnswerAndDefectsNeverFaster) {
  const std::string base = "fabric --kernel gemv --region 32x32 --size 1024 --format json";
  const Result clean = run(base), a = run(base + " --defect-density 0.01 --seed 5"), b = run(base + " --defect-density 0.01 --seed 5");
  ASSERT_EQ(clean.exit_code, 0) << clean.output;
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(a.output, b.output);
  const auto c = nlohmann::json::parse(clean.output)[0], d = nlohmann::json::parse(a.output)[0];
  EXPECT_GT(d["dead_tiles"].get<double>(), 0);
  EXPECT_GE(d["simulated_s"].get<double>(), c["simulated_s"].get<double>());
}

TEST(CliFabric, BadInputIsExitTwoNamingTheFlag) {
  const struct { const char* args; const char* says; } cases[] = {
      {"fabric --region 800x2000", "--region: expected a region inside the 762x1172"},
      {"fabric --region 12", "--region: expected RxC"},
      {"fabric --defect-density 1", "--defect-density"},
      {"fabric --defect-density -0.1", "--defect-density"},
      {"fabric --kernel fft", "--kernel: expected one of"},
      {"fabric --kernel layer", "--model"},
      {"fabric --chip h100", "--chip: expected a wafer"},
      {"fabric --algorithm ring", "--algorithm: expected chain, tree or two-phase"},
      {"fabric --kernel gemv --region 4x4 --size 8192", "KiB per core"},
      {"fabric --defect-file /no/such/file", "cannot read"},
      {"fabric --size 1e9", "--size"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}

}  // namespace
}  // namespace ws

// One workload assumption everywhere: perf --workload takes the workload's cache-read share of the input as not
// prefilled (as cost does) and says so in its row; --cached-tokens sets it directly and must stay below the input.
TEST(Cli, PerfTakesTheWorkloadsCachedShare) {
  const Result plain = run("perf --model llama-3.1-8b --hardware cs-3 --isl 100000 --osl 200 --format json");
  const Result agentic =
      run("perf --model llama-3.1-8b --hardware cs-3 --isl 100000 --osl 200 --workload agentic-coding --format json");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(agentic.exit_code, 0) << agentic.output;
  const auto p = nlohmann::json::parse(plain.output)[0], a = nlohmann::json::parse(agentic.output)[0];
  EXPECT_EQ(p["prefix_cached_tokens"], 0);
  // catalog/workloads/agentic-coding.toml's mix: cache reads 0.95520 of 0.95520 + 0.03775 + 0.00403 input tokens.
  EXPECT_NEAR(a["prefix_cached_tokens"].get<double>(), 100000 * 0.95520 / (0.95520 + 0.03775 + 0.00403), 1);
  EXPECT_LT(a["ttft_s"].get<double>(), p["ttft_s"].get<double>() / 5);
  const Result given = run("perf --model llama-3.1-8b --hardware cs-3 --isl 1000 --cached-tokens 400 --format json");
  ASSERT_EQ(given.exit_code, 0) << given.output;
  EXPECT_EQ(nlohmann::json::parse(given.output)[0]["prefix_cached_tokens"], 400);
  const Result bad = run("perf --model llama-3.1-8b --hardware cs-3 --isl 1000 --cached-tokens 1000");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--cached-tokens"), std::string::npos) << bad.output;
  const Result unknown = run("perf --model llama-3.1-8b --hardware cs-3 --workload nope");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("--workload"), std::string::npos) << unknown.output;
}

// The same workload assumption in simulate: synthetic agentic traffic has no blocks to match, so its workload's
// cache-read share is served from the prefix cache (a hit ratio of that share), not prefilled in full.
TEST(Cli, SimulateTakesTheWorkloadsCachedShare) {
  const std::string base = "simulate --model gpt-oss-120b --hardware cs-3 --workload agentic-coding --rate 0.5 --duration 60 --format json";
  const Result cached = run(base), full = run(base + " --no-prefix-cache");
  ASSERT_EQ(cached.exit_code, 0) << cached.output;
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const auto c = nlohmann::json::parse(cached.output)[0], f = nlohmann::json::parse(full.output)[0];
  // catalog/workloads/agentic-coding.toml's mix: cache reads 0.95520 of 0.95520 + 0.03775 + 0.00403 input tokens.
  EXPECT_NEAR(c["prefix_hit_ratio"].get<double>(), 0.95520 / (0.95520 + 0.03775 + 0.00403), 0.005);
  EXPECT_EQ(f["prefix_hit_ratio"], 0);
  EXPECT_LT(c["ttft_p50_s"].get<double>(), f["ttft_p50_s"].get<double>() / 5);
}
