#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "perf/engine.h"

namespace ws {

// One measured operating point and what the engine predicts for it.
struct ValidationRow {
  std::string device_class;
  std::string source;      // measurement file
  std::string label;       // "b200 trt fp4 tp8 ep1 c64 1024/1024"
  std::string metric;      // "output_tokens_per_s_per_device" or "tokens_per_s_per_user"
  std::string group;       // model x hardware x serving stack: the unit left out in cross-validation
  bool used_for_fit = false;
  double measured = 0;
  double predicted = 0;
  double error() const { return predicted / measured - 1.0; }
};

struct MeasuredPoint {
  std::string device_class;
  std::string source;
  std::string label;
  std::string group;  // "deepseek-r1 h200 sglang": model x hardware x serving stack
  bool used_for_fit = false;
  std::string fit;  // the fit (calibration stage) it belongs to: hbm_gpu, hbm_gpu_mtp, ..., wafer_waferllm
  std::string model;
  std::string hardware;  // the chip or system the group names
  std::string system;    // what the engine runs on: the benchmark's node for GPU runs, else `hardware`
  PerfRequest request;
  int decode_gpus = 0, prefill_gpus = 0;  // > 0: disaggregated pools (request = one decode replica's)
  double decode_slots = 0;  // disaggregated: sequences the decode workers' batch limits admit at once (0: none)
  // metric name -> measured value
  std::vector<std::pair<std::string, double>> metrics;
};

// Every measurement in catalog/measurements/ (read once by load_catalog) as an operating point for the engine.
std::vector<MeasuredPoint> load_measurements(const Catalog& catalog);

std::vector<ValidationRow> validate(const Catalog& catalog, const std::vector<MeasuredPoint>& points);

struct ErrorSummary {
  std::string device_class;
  std::string metric;
  std::string subset;  // "fitted" or "held back"
  int rows = 0;
  double median_abs_error = 0;
  double worst_abs_error = 0;
};
std::vector<ErrorSummary> summarize(const std::vector<ValidationRow>& rows);

struct FitResult {
  std::string fit;           // "hbm_gpu", "hbm_gpu_mtp", "hbm_gpu_disagg", "sram_lpu", "wafer"
  std::string device_class;  // the calibration.toml table it sets
  std::vector<std::string> names;
  std::vector<double> values;
  double objective = 0;
  std::string residuals;  // one line, for calibration.toml
};

// Refits the free constants of `fit` on the measurements marked used_for_fit, starting from the catalog's values
// (Nelder-Mead in log space, with restarts). hbm_gpu: mean over groups of each group's mean |log error| of
// throughput per GPU, tokens/s per user and TTFT; sram_lpu: the same over its decode speeds; wafer: the largest
// |relative error|. `fit`: a device class, or hbm_gpu_mtp (the MTP acceptance on the single-node GPU runs with
// MTP) or hbm_gpu_disagg (the scale-out latencies on the disaggregated runs), the kernels' constants fixed. `leave_out_group`: fit without that group's rows (cross-validation).
FitResult fit_device_class(const Catalog& catalog, const std::string& fit, const std::string& leave_out_group = "");
std::vector<std::string> fit_names();  // every fit, in the order calibrate runs them

// `catalog` with the fitted values of `fit` in place of its device class's constants.
Catalog with_fit(const Catalog& catalog, const FitResult& fit);

// Prediction error per device class x group x metric. The fit columns use the catalog's constants (fitted on
// every group, so they flatter the model); the cross-validated ones refit without the group and predict it,
// which is how wrong a prediction is likely to be on a configuration the fit never saw.
struct GroupError {
  std::string device_class, group, metric;
  int n = 0;
  double fit_median_ape = NAN;  // median |error| with the catalog's constants
  double cv_median_ape = NAN;   // median |error| refitted without the group
  double signed_median = NAN;   // median cross-validated signed error: the bias
  double worst_ape = NAN;       // worst cross-validated |error|
  bool held_back = false;       // never fitted on: the cross-validated columns are its plain errors, fit is NaN
};
// Leave-one-group-out over the fitted measurements of `device_class`: one refit per group (minutes for hbm_gpu).
std::vector<GroupError> cross_validate(const Catalog& catalog, const std::string& device_class,
                                       const std::function<void(const std::string&)>& progress = {});
// The fit columns from `rows`; the cross-validated ones from the catalog's cross_validation.csv (written by
// `waferscope calibrate --write`), NaN where it has none.
std::vector<GroupError> group_errors(const Catalog& catalog, const std::vector<ValidationRow>& rows);
// Rewrites cross_validation.csv at `path` with `errors` for their device classes, keeping other classes' rows.
void write_cross_validation(const std::string& path, const std::vector<GroupError>& errors);
double fit_objective(const Catalog& catalog, const std::string& device_class);  // at the catalog's values

// Rewrites the fitted values and residuals of `fit` in the calibration.toml at `path`, leaving everything
// else (comments, assumed constants, sources) as it is.
void write_fit(const std::string& path, const FitResult& fit);

// Minimises f from x0 (Nelder-Mead simplex). Deterministic.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                                double step, int max_evaluations);

}  // namespace ws
