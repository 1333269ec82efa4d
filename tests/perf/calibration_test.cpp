#include "perf/calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "test_support.h"

namespace ws {
namespace {

const std::vector<ValidationRow>& rows() {
  static const std::vector<ValidationRow> r = validate(test::catalog(), load_measurements(test::catalog()));
  return r;
}


TEST(Validation, EveryMeasurementHasAPrediction) {
  // GPU runs (R1, gpt-oss, R1 with MTP, R1 disaggregated): throughput, speed per user, TTFT; wafer: 4 + 2
  // speeds; Groq: 2 speeds and a TTFT.
  EXPECT_EQ(rows().size(), (60u + 292u + 30u + 45u) * 3 + 4 + 2 + 6 + 3);
  for (const auto& r : rows()) EXPECT_GT(r.predicted, 0) << r.label;
}

// What the protocol reports: one row per class x group x metric, the groups being model x hardware x stack.
TEST(Validation, GroupsAreModelHardwareAndServingStack) {
  std::set<std::string> groups;
  for (const auto& e : group_errors(test::catalog(), rows())) groups.insert(e.device_class + " " + e.group);
  EXPECT_EQ(groups, (std::set<std::string>{"hbm_gpu deepseek-r1 b200 sglang", "hbm_gpu deepseek-r1 b200 trt",
                                           "hbm_gpu deepseek-r1 h200 sglang", "hbm_gpu deepseek-r1 h200 trt",
                                           "hbm_gpu deepseek-r1 b200 sglang mtp", "hbm_gpu deepseek-r1 b200 trt mtp",
                                           "hbm_gpu deepseek-r1 h200 sglang mtp", "hbm_gpu deepseek-r1 h200 trt mtp",
                                           "hbm_gpu deepseek-r1 h100 dynamo-sglang disagg mtp",
                                           "hbm_gpu deepseek-r1 h100 dynamo-trt disagg",
                                           "hbm_gpu deepseek-r1 h100 dynamo-trt disagg mtp",
                                           "hbm_gpu deepseek-r1 h200 dynamo-sglang disagg",
                                           "hbm_gpu deepseek-r1 h200 dynamo-sglang disagg mtp",
                                           "hbm_gpu deepseek-r1 h200 dynamo-trt disagg",
                                           "hbm_gpu deepseek-r1 h200 dynamo-trt disagg mtp",
                                           "hbm_gpu gpt-oss-120b h100 vllm", "hbm_gpu gpt-oss-120b h200 vllm",
                                           "sram_lpu llama-2-70b lpu1 groq statement", "sram_lpu llama-2-70b lpu1 llmperf",
                                           "wafer gpt-oss-120b cs-3 cerebras", "wafer llama-3.1-8b cs-3 cerebras",
                                           "wafer llama-3.3-70b cs-3 cerebras", "wafer qwen3-235b-a22b cs-3 cerebras",
                                           "wafer llama-3.1-8b cs-3 cerebras-2024", "wafer llama-3.1-70b cs-3 cerebras-2024",
                                           "wafer llama-3.1-8b wse-2 waferllm decode 420x420",
                                           "wafer llama-3.1-8b wse-2 waferllm decode 540x540",
                                           "wafer llama-3.1-8b wse-2 waferllm decode 660x660",
                                           "wafer llama-3.1-8b wse-2 waferllm prefill 480x480",
                                           "wafer llama-3.1-8b wse-2 waferllm prefill 600x600",
                                           "wafer llama-3.1-8b wse-2 waferllm prefill 720x720"}));
}

// catalog/cross_validation.csv was written with the constants now in calibration.toml: its fit columns are what
// the catalog's constants give today (else `waferscope calibrate --write` must be rerun).
TEST(CrossValidation, StoredFileIsInStepWithTheConstants) {
  const auto now = group_errors(test::catalog(), rows());
  ASSERT_FALSE(test::catalog().cross_validation.empty());
  for (const auto& record : test::catalog().cross_validation) {
    bool found = false;
    for (const auto& e : now) {
      if (e.device_class != record.device_class || e.group != record.group || e.metric != record.metric) continue;
      found = true;
      EXPECT_EQ(e.n, record.n) << record.group;
      EXPECT_NEAR(e.fit_median_ape, record.fit_median_ape, 1e-3) << record.group << " " << record.metric;
    }
    EXPECT_TRUE(found) << "cross_validation.csv:" << record.line << " names no current group";
  }
}

// The wafer's leave-one-model-out refits (seconds) give what the stored file says.
TEST(CrossValidation, WaferRecomputedEqualsTheStoredFile) {
  std::size_t checked = 0;
  for (const char* fit : {"wafer_waferllm", "wafer", "wafer_2024"}) {
    for (const auto& e : cross_validate(test::catalog(), fit)) {
      ++checked;
      bool found = false;
      for (const auto& record : test::catalog().cross_validation) {
        if (record.device_class != "wafer" || record.group != e.group || record.metric != e.metric) continue;
        found = true;
        EXPECT_NEAR(e.cv_median_ape, record.cv_median_ape, 1e-3) << e.group;
        EXPECT_NEAR(e.signed_median, record.signed_median, 1e-3) << e.group;
      }
      EXPECT_TRUE(found) << e.group;
    }
  }
  EXPECT_EQ(checked, 12u);  // 6 WaferLLM grids, 4 vendor peaks, 2 launch speeds
}

const CrossValidationRecord& stored(const std::string& cls, const std::string& group, const std::string& metric) {
  for (const auto& r : test::catalog().cross_validation)
    if (r.device_class == cls && r.group == group && r.metric == metric) return r;
  throw std::runtime_error("no cross-validation record for " + cls + " " + group + " " + metric);
}

// Cross-validated errors, never the fit's own residuals. The bounds are today's leave-one-group-out figures
// (catalog/cross_validation.csv) rounded up: they guard against a change that makes unseen configurations worse.
// Issue 14's target (<= 10% median, |bias| <= 7% per group) is not met yet; see the README's validation table.
// Leave one group (model x GPU x serving stack) out, refit the hbm_gpu constants on the other five, predict it.
// Bounds are today's cross-validated errors rounded up (catalog/cross_validation.csv): gpt-oss-120b within 6%,
// DeepSeek-R1 4-14%. What looked like TRT-LLM being slower than SGLang on H200 but faster on B200 was mostly the
// runs' dates (the H200 TRT runs are 2025-11, the B200 ones 2026-05): each run's overheads now carry its software's
// age (one fitted rate), which took the R1 groups from 7-19% to 4-14%, with dense GEMMs and attention at sourced
// efficiencies (the MoE fitting files cannot identify them).
TEST(CrossValidation, HbmGpuErrorsOnUnseenGroups) {
  // group -> {throughput, speed per user}: cross-validated median |error| bounds
  const std::map<std::string, std::pair<double, double>> bounds = {
      {"deepseek-r1 b200 sglang", {0.05, 0.06}}, {"deepseek-r1 b200 trt", {0.12, 0.14}},
      {"deepseek-r1 h200 sglang", {0.04, 0.03}}, {"deepseek-r1 h200 trt", {0.13, 0.06}},
      {"gpt-oss-120b h100 vllm", {0.03, 0.03}},  {"gpt-oss-120b h200 vllm", {0.04, 0.04}}};
  for (const auto& [group, bound] : bounds) {
    const auto& throughput = stored("hbm_gpu", group, "output_tokens_per_s_per_device");
    const auto& per_user = stored("hbm_gpu", group, "tokens_per_s_per_user");
    EXPECT_GE(throughput.n, 5) << group;
    EXPECT_LE(throughput.cv_median_ape, bound.first) << group;
    EXPECT_LE(per_user.cv_median_ape, bound.second) << group;
  }
  // Nearly unbiased where the model holds: gpt-oss's signed medians are within 4%.
  for (const char* group : {"gpt-oss-120b h100 vllm", "gpt-oss-120b h200 vllm"})
    for (const char* metric : {"output_tokens_per_s_per_device", "tokens_per_s_per_user"})
      EXPECT_LE(std::fabs(stored("hbm_gpu", group, metric).signed_median), 0.04) << group << " " << metric;
}

// The MTP acceptance, refitted without one MTP group (the kernels' constants fixed), predicts it within these
// bounds (today's figures rounded up): the stacks' MTP speed-ups differ more than one acceptance can carry
// (TRT-LLM gains more than the model gives on both GPUs).
TEST(CrossValidation, MtpAcceptanceOnUnseenGroups) {
  const std::map<std::string, std::pair<double, double>> bounds = {
      {"deepseek-r1 b200 sglang mtp", {0.16, 0.07}}, {"deepseek-r1 b200 trt mtp", {0.11, 0.14}},
      {"deepseek-r1 h200 sglang mtp", {0.17, 0.17}}, {"deepseek-r1 h200 trt mtp", {0.15, 0.10}}};
  for (const auto& [group, bound] : bounds) {
    EXPECT_LE(stored("hbm_gpu", group, "output_tokens_per_s_per_device").cv_median_ape, bound.first) << group;
    EXPECT_LE(stored("hbm_gpu", group, "tokens_per_s_per_user").cv_median_ape, bound.second) << group;
  }
}

// The 45 disaggregated Dynamo runs fit the two scale-out latencies only (stage hbm_gpu_disagg, on tokens/s per
// user), the kernels' constants fixed. Left out one group at a time, their errors are these (today's figures in
// catalog/cross_validation.csv rounded up). The H200 groups run TP 8 in one node: the constants do not touch them,
// so their cross-validated errors are plain out-of-sample errors of the pool model. Each run's decode workers admit
// only as many sequences as its recipe says (measurements/inferencex_dynamo_decode_batch.csv), the other clients
// waiting for a slot: without that, H100 TRT-LLM was 37.8% / 5.2% (its clients at 6 and 9 decoding in 3 and 6
// slots). Where the limits do not bind, throughput is over-predicted 16-35% (H200 groups).
TEST(CrossValidation, DisaggregatedRunsOnUnseenGroups) {
  // group -> {throughput, speed per user}
  const std::map<std::string, std::pair<double, double>> bounds = {
      {"deepseek-r1 h100 dynamo-sglang disagg mtp", {0.18, 0.09}}, {"deepseek-r1 h100 dynamo-trt disagg", {0.07, 0.03}},
      {"deepseek-r1 h100 dynamo-trt disagg mtp", {0.24, 0.22}},    {"deepseek-r1 h200 dynamo-sglang disagg", {0.19, 0.11}},
      {"deepseek-r1 h200 dynamo-sglang disagg mtp", {0.36, 0.26}}, {"deepseek-r1 h200 dynamo-trt disagg", {0.22, 0.09}},
      {"deepseek-r1 h200 dynamo-trt disagg mtp", {0.05, 0.10}}};
  for (const auto& [group, bound] : bounds) {
    EXPECT_LE(stored("hbm_gpu", group, "output_tokens_per_s_per_device").cv_median_ape, bound.first) << group;
    EXPECT_LE(stored("hbm_gpu", group, "tokens_per_s_per_user").cv_median_ape, bound.second) << group;
  }
  for (const auto& e : group_errors(test::catalog(), rows()))
    if (e.group.find("disagg") != std::string::npos) {
      EXPECT_FALSE(e.held_back) << e.group;
    }
}

// What a disaggregated run's "output tokens/s per GPU" divides by. By Little's law a benchmark with `conc` clients
// each taking TTFT + osl / s per request (s tokens/s each once decoding) produces conc x osl / (TTFT + osl / s)
// tokens/s, so throughput per GPU x GPUs / (conc x s) <= 1 for the right GPU count. InferenceX's
// utils/process_result.py divides a multi-node run's output by its decode GPUs (and its total by all GPUs): with that
// divisor every Dynamo run keeps to Little's law; with the measured median TTFT the typical run's ratio to it is 0.93
// (0.54-1.01: a median TTFT understates the mean where a few requests wait long);
// divided by all GPUs (as the brief read it) the runs would exceed the bound up to 3.7x, which no benchmark can.
TEST(Validation, DisaggregatedThroughputIsPerDecodeGpu) {
  int disaggregated = 0;
  double over_decode_max = 0, over_all_max = 0;
  std::vector<double> with_ttft;
  for (const auto& m : test::catalog().gpu_measurements) {
    if (m.catalog_model != "deepseek-r1") continue;
    const double decode_gpus = m.disaggregated ? m.decode_gpus : m.decode_tp;
    const double all_gpus = m.disaggregated ? m.decode_gpus + m.prefill_gpus : m.decode_tp;
    const double bound = m.concurrency * m.tokens_per_s_per_user;
    if (!m.disaggregated) {
      EXPECT_LE(m.output_tokens_per_s_per_gpu * all_gpus / bound, 1.02) << m.file << ":" << m.line;
      continue;
    }
    ++disaggregated;
    over_decode_max = std::max(over_decode_max, m.output_tokens_per_s_per_gpu * decode_gpus / bound);
    over_all_max = std::max(over_all_max, m.output_tokens_per_s_per_gpu * all_gpus / bound);
    const double request_s = m.ttft_s + m.osl / m.tokens_per_s_per_user;
    const double littles = m.output_tokens_per_s_per_gpu * decode_gpus * request_s / (m.concurrency * m.osl);
    with_ttft.push_back(littles);
  }
  EXPECT_EQ(disaggregated, 45);
  EXPECT_LE(over_decode_max, 1.02);
  EXPECT_GT(over_all_max, 3.5);
  std::sort(with_ttft.begin(), with_ttft.end());
  EXPECT_LE(with_ttft.back(), 1.02);
  EXPECT_GT(with_ttft[with_ttft.size() / 2], 0.9);
  EXPECT_LE(with_ttft[with_ttft.size() / 2], 1.0);
}

// Groq's two Llama 2 70B decode speeds: each predicted from a hop latency fitted on the other alone.
TEST(CrossValidation, LpuSpeedsPredictEachOther) {
  EXPECT_LE(stored("sram_lpu", "llama-2-70b lpu1 groq statement", "tokens_per_s_per_user").cv_median_ape, 0.11);
  EXPECT_LE(stored("sram_lpu", "llama-2-70b lpu1 llmperf", "tokens_per_s_per_user").cv_median_ape, 0.11);
}

// The wafer from its mesh up (perf/wafer_device.h: fabric closed forms + one software cost per stack). Each
// WaferLLM grid left out and predicted from the other two decode grids: within 4% (the decode trend, fewer cores
// faster, comes from the mesh's hops, not from the fitted constant); its prefill (MeshGEMM) within 62%. The
// vendor's stack: gpt-oss, the Llama 70B (drafted as catalog/speculative.toml states) and Qwen3 within 10-18% (experts
// interleaved over a phase's region, a KV head's query heads split over bands with copies of its KV), its 8B peak
// over-predicted 2.2x (one software cost cannot carry both); the 2024
// launch speeds predict each other within 31-39%. Bounds: today's figures (catalog/cross_validation.csv) rounded up.
TEST(CrossValidation, WaferErrorsOnUnseenGroups) {
  const std::map<std::string, std::pair<std::string, double>> bounds = {
      {"llama-3.1-8b wse-2 waferllm decode 420x420", {"tokens_per_s_per_user", 0.04}},
      {"llama-3.1-8b wse-2 waferllm decode 540x540", {"tokens_per_s_per_user", 0.03}},
      {"llama-3.1-8b wse-2 waferllm decode 660x660", {"tokens_per_s_per_user", 0.03}},
      {"llama-3.1-8b wse-2 waferllm prefill 480x480", {"prefill_tokens_per_s", 0.62}},
      {"llama-3.1-8b wse-2 waferllm prefill 600x600", {"prefill_tokens_per_s", 0.24}},
      {"llama-3.1-8b wse-2 waferllm prefill 720x720", {"prefill_tokens_per_s", 0.21}},
      {"gpt-oss-120b cs-3 cerebras", {"tokens_per_s_per_user", 0.10}},
      {"llama-3.1-8b cs-3 cerebras", {"tokens_per_s_per_user", 1.20}},
      {"llama-3.3-70b cs-3 cerebras", {"tokens_per_s_per_user", 0.19}},
      {"qwen3-235b-a22b cs-3 cerebras", {"tokens_per_s_per_user", 0.18}},
      {"llama-3.1-70b cs-3 cerebras-2024", {"tokens_per_s_per_user", 0.39}},
      {"llama-3.1-8b cs-3 cerebras-2024", {"tokens_per_s_per_user", 0.31}}};
  for (const auto& [group, bound] : bounds)
    EXPECT_LE(stored("wafer", group, bound.first).cv_median_ape, bound.second) << group;
}

// WaferLLM's trend (2,700 / 2,502 / 2,243 tokens/s on 420^2 / 540^2 / 660^2 cores): the model decodes faster on
// fewer cores, and the step grows by what the mesh's longer broadcasts and reductions add.
TEST(Validation, WaferLlmFewerCoresDecodeFaster) {
  std::vector<double> decode;
  for (const auto& r : rows())
    if (r.group.find("waferllm decode") != std::string::npos) decode.push_back(r.predicted);
  ASSERT_EQ(decode.size(), 3u);
  EXPECT_GT(decode[0], decode[1]);
  EXPECT_GT(decode[1], decode[2]);
  // Measured: 660^2 is 17% slower than 420^2; predicted within 5 points of it.
  EXPECT_NEAR(decode[0] / decode[2], 2700.0 / 2243, 0.05);
}

// The committed constants are what `waferscope calibrate` finds: refitting does not improve the objective.
TEST(Calibration, StoredConstantsAreTheFit) {
  for (const char* cls : {"hbm_gpu", "hbm_gpu_mtp", "wafer", "sram_lpu"}) {
    const double stored = fit_objective(test::catalog(), cls);
    const FitResult refit = fit_device_class(test::catalog(), cls);
    EXPECT_LE(stored, refit.objective * 1.02 + 1e-3) << cls;
  }
}

TEST(NelderMead, FindsAQuadraticMinimum) {
  auto f = [](const std::vector<double>& x) { return std::pow(x[0] - 3, 2) + 2 * std::pow(x[1] + 1, 2); };
  const auto x = nelder_mead(f, {0, 0}, 1.0, 500);
  EXPECT_NEAR(x[0], 3, 1e-3);
  EXPECT_NEAR(x[1], -1, 1e-3);
}

// Each GPU run carries its software's age: from the newest fitted run (2026-05-22) to its own date; the gpt-oss
// runs (no date in their file) dated by their Actions run ids between the R1 runs of 2025-12-15 (id 20216641521)
// and 2025-12-31 (20621824084) / 2026-01-29 (21484110885). Predictions (a default request) run at age 0.
TEST(SoftwareAge, RunsAreAgedFromTheNewestFittedRun) {
  int r1_checked = 0, gpt_oss_checked = 0;
  for (const auto& p : load_measurements(test::catalog())) {
    if (p.device_class != "hbm_gpu") continue;
    if (p.label == "h200 trt fp8 tp8 ep1 c4 1024/1024") {  // 2025-11-02: 201 days before 2026-05-22
      EXPECT_NEAR(p.request.software_age_years, 201 / 365.25, 1e-9);
      ++r1_checked;
    }
    if (p.label.rfind("b200 sglang fp8 tp8 ep1 c1 1024/1024", 0) == 0) {  // 2026-05-22 itself
      EXPECT_EQ(p.request.software_age_years, 0.0);
      ++r1_checked;
    }
    if (p.model == "gpt-oss-120b") {  // between 2025-12-15 and 2026-01-29: 0.31-0.44 years
      EXPECT_GE(p.request.software_age_years, 113 / 365.25) << p.label;
      EXPECT_LE(p.request.software_age_years, 158 / 365.25) << p.label;
      ++gpt_oss_checked;
    }
  }
  EXPECT_EQ(r1_checked, 2);
  EXPECT_EQ(gpt_oss_checked, 292);
  EXPECT_EQ(PerfRequest{}.software_age_years, 0.0);
}

}  // namespace
}  // namespace ws
