#include "perf/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"

namespace ws {
namespace {

const std::vector<ValidationRow>& rows() {
  static const std::vector<ValidationRow> r = validate(test::catalog(), load_measurements(test::catalog()));
  return r;
}

const ErrorSummary& summary(const std::string& cls, const std::string& metric, const std::string& subset) {
  static const std::vector<ErrorSummary> s = summarize(rows());
  for (const auto& e : s)
    if (e.device_class == cls && e.metric == metric && e.subset == subset) return e;
  throw std::runtime_error("no summary for " + cls + " " + metric);
}

TEST(Validation, EveryMeasurementHasAPrediction) {
  EXPECT_EQ(rows().size(), 60u * 2 + 4 + 2);
  for (const auto& r : rows()) EXPECT_GT(r.predicted, 0) << r.label;
}

// The acceptance: median absolute error at most 15% on output tokens/s per GPU and on tokens/s per
// user over the InferenceX rows.
TEST(Validation, HbmGpuMedianErrorWithin15Percent) {
  EXPECT_LE(summary("hbm_gpu", "output_tokens_per_s_per_device", "fitted").median_abs_error, 0.15);
  EXPECT_LE(summary("hbm_gpu", "tokens_per_s_per_user", "fitted").median_abs_error, 0.15);
}

// The acceptance: every wafer calibration row within 20%.
TEST(Validation, WaferCalibrationRowsWithin20Percent) {
  EXPECT_LE(summary("wafer", "tokens_per_s_per_user", "fitted").worst_abs_error, 0.20);
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
