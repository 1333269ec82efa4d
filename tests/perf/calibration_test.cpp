#include "perf/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "test_support.h"

namespace ws {
namespace {

const std::vector<ValidationRow>& rows() {
  static const std::vector<ValidationRow> r = validate(test::catalog(), load_measurements(test::catalog()));
  return r;
}


TEST(Validation, EveryMeasurementHasAPrediction) {
  EXPECT_EQ(rows().size(), (60u + 292u) * 3 + 4 + 2);  // GPU runs: throughput, speed per user, TTFT
  for (const auto& r : rows()) EXPECT_GT(r.predicted, 0) << r.label;
}

// What the protocol reports: one row per class x group x metric, the groups being model x hardware x stack.
TEST(Validation, GroupsAreModelHardwareAndServingStack) {
  std::set<std::string> groups;
  for (const auto& e : group_errors(test::catalog(), rows())) groups.insert(e.device_class + " " + e.group);
  EXPECT_EQ(groups, (std::set<std::string>{"hbm_gpu deepseek-r1 b200 sglang", "hbm_gpu deepseek-r1 b200 trt",
                                           "hbm_gpu deepseek-r1 h200 sglang", "hbm_gpu deepseek-r1 h200 trt",
                                           "wafer gpt-oss-120b cs-3 vendor", "wafer llama-3.1-8b cs-3 vendor",
                                           "wafer llama-3.3-70b cs-3 vendor", "wafer qwen3-235b-a22b cs-3 vendor",
                                           // held back, never fitted on:
                                           "hbm_gpu gpt-oss-120b h100 vllm", "hbm_gpu gpt-oss-120b h200 vllm",
                                           "wafer llama-3.1-8b cs-3 launch", "wafer llama-3.1-70b cs-3 launch"}));
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
  const auto cv = cross_validate(test::catalog(), "wafer");
  ASSERT_EQ(cv.size(), 4u);
  for (const auto& e : cv) {
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

const CrossValidationRecord& stored(const std::string& cls, const std::string& group, const std::string& metric) {
  for (const auto& r : test::catalog().cross_validation)
    if (r.device_class == cls && r.group == group && r.metric == metric) return r;
  throw std::runtime_error("no cross-validation record for " + cls + " " + group + " " + metric);
}

// Cross-validated errors, never the fit's own residuals. The bounds are today's leave-one-group-out figures
// (catalog/cross_validation.csv) rounded up: they guard against a change that makes unseen configurations worse.
// Issue 14's target (<= 10% median, |bias| <= 7% per group) is not met yet; see the README's validation table.
TEST(CrossValidation, HbmGpuErrorsOnUnseenGroups) {
  const std::map<std::string, double> bounds = {{"deepseek-r1 b200 sglang", 0.13}, {"deepseek-r1 b200 trt", 0.14},
                                                {"deepseek-r1 h200 sglang", 0.11}, {"deepseek-r1 h200 trt", 0.15}};
  for (const auto& [group, bound] : bounds) {
    for (const char* metric : {"output_tokens_per_s_per_device", "tokens_per_s_per_user"}) {
      const auto& r = stored("hbm_gpu", group, metric);
      EXPECT_GE(r.n, 5) << group;
      EXPECT_LE(r.cv_median_ape, bound) << group << " " << metric;
    }
  }
}

// gpt-oss-120b on H100/H200 with vLLM at TP 1-8 (InferenceMAX, 292 runs) is held back: the constants fitted on
// DeepSeek-R1 at TP 4-8 predict another model and smaller TP. Bounds are today's errors rounded up; H100 is
// under-predicted by ~14-16%.
TEST(CrossValidation, GptOssNeverFittedOn) {
  const std::map<std::string, double> bounds = {{"gpt-oss-120b h100 vllm", 0.17}, {"gpt-oss-120b h200 vllm", 0.09}};
  int checked = 0;
  for (const auto& e : group_errors(test::catalog(), rows())) {
    if (!bounds.count(e.group) || e.metric == "ttft_s") continue;
    ++checked;
    EXPECT_TRUE(e.held_back) << e.group;
    EXPECT_TRUE(std::isnan(e.fit_median_ape)) << e.group;
    EXPECT_LE(e.cv_median_ape, bounds.at(e.group)) << e.group << " " << e.metric;
  }
  EXPECT_EQ(checked, 4);
}

// Left out, llama-3.1-8b is over-predicted 2x and gpt-oss-120b by 41%: the single fitted phase constant does not
// transfer between models (issue 10's fabric model is meant to replace it).
TEST(CrossValidation, WaferErrorsOnUnseenModels) {
  const std::map<std::string, double> bounds = {{"gpt-oss-120b cs-3 vendor", 0.42}, {"llama-3.1-8b cs-3 vendor", 1.01},
                                                {"llama-3.3-70b cs-3 vendor", 0.04}, {"qwen3-235b-a22b cs-3 vendor", 0.18}};
  for (const auto& [group, bound] : bounds)
    EXPECT_LE(stored("wafer", group, "tokens_per_s_per_user").cv_median_ape, bound) << group;
}

// The committed constants are what `waferscope calibrate` finds: refitting does not improve the objective.
TEST(Calibration, StoredConstantsAreTheFit) {
  for (const char* cls : {"hbm_gpu", "wafer"}) {
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

}  // namespace
}  // namespace ws
