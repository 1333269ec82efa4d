#include "perf/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>

#include <tbb/parallel_for.h>

#include "core/error.h"
#include "perf/disaggregation.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

std::string measurement_file(const Catalog& catalog, const std::string& name) {
  return (fs::path(catalog.root) / "measurements" / name).string();
}

// The fits and the free constants each one sets, in the order calibrate runs them; everything else in
// calibration.toml is an assumption. A fit is named after its device class, or <class>_<stage> for a later stage
// on the same class's table, its earlier stages' constants fixed: hbm_gpu_mtp, the MTP acceptance on the
// single-node MTP runs; hbm_gpu_disagg, the scale-out latencies on the disaggregated runs (the only multi-node ones).
using FitConstants = std::vector<std::pair<std::string, std::vector<std::string>>>;
const FitConstants& fitted_constants() {
  static const FitConstants names = {
      {"hbm_gpu", {"hbm_bandwidth_efficiency", "expert_gemm_compute_efficiency",
                   "kernel_overhead_s", "step_overhead_s_sglang", "step_overhead_s_trt",
                   "step_overhead_s_vllm", "request_overhead_s_sglang", "request_overhead_s_trt",
                   "request_overhead_s_vllm", "software_overhead_growth_per_year", "token_overhead_s_sglang",
                   "token_overhead_s_trt", "token_overhead_s_vllm"}},
      {"hbm_gpu_mtp", {"mtp_acceptance"}},
      {"hbm_gpu_disagg", {"scale_out_latency_s", "scale_out_all_to_all_latency_s"}},
      // Groq's published speeds are single-user decode: latency-bound, so only the hop latency shows in them.
      {"sram_lpu", {"chip_hop_latency_s"}},
      // The wafer's software costs per stack: WaferLLM's (and the MeshGEMM step cost, which only its prefill rows
      // show) on its WSE-2 grids, then the vendor's on its peaks and, as a dated earlier stack, its 2024 launch.
      {"wafer_waferllm", {"phase_overhead_cycles_waferllm", "gemm_step_overhead_cycles"}},
      {"wafer", {"phase_overhead_cycles_cerebras"}},
      {"wafer_2024", {"phase_overhead_cycles_cerebras-2024"}}};
  return names;
}

const std::vector<std::string>* constants_of_fit(const std::string& fit) {
  for (const auto& [name, constants] : fitted_constants())
    if (name == fit) return &constants;
  return nullptr;
}

// InferenceX's random dataset: lengths uniform in [0.8, 1.0] x nominal, so the mean is 0.9 x nominal.
constexpr double kMeanLengthShare = 0.9;

// Speculative acceptance rates published for strong drafts (EAGLE-2/3, Medusa, MTP) run 0.6-0.9 per token:
// the fit may not go beyond what a draft has been seen to reach.
constexpr double kMaxAcceptance = 0.9;

// Days since 1970-01-01 of a YYYY-MM-DD date (validated by the loader).
double days_of(const std::string& date) {
  const std::chrono::year_month_day ymd{std::chrono::year{std::stoi(date.substr(0, 4))},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

// Each GPU run's software age in years: from the newest fitted run's date to its own. A run without a date (the
// gpt-oss file gives only run ids) is dated by its GitHub Actions run id, linearly between the dated runs with
// the nearest ids on either side (ids grow with time across the repository's workflows), clamped to the range.
std::vector<double> software_ages_years(const std::vector<GpuServingMeasurement>& rows) {
  std::vector<std::pair<double, double>> anchors;  // run id -> days
  double newest = -std::numeric_limits<double>::infinity();
  for (const auto& r : rows) {
    if (r.date.empty()) continue;
    anchors.emplace_back(static_cast<double>(r.run_id), days_of(r.date));
    if (r.used_for_fit) newest = std::max(newest, anchors.back().second);
  }
  if (!std::isfinite(newest)) return std::vector<double>(rows.size(), 0.0);  // no dated fitted run: no ages
  std::sort(anchors.begin(), anchors.end());
  std::vector<double> ages;
  for (const auto& r : rows) {
    double days = 0;
    if (!r.date.empty()) days = days_of(r.date);
    else {
      const double id = static_cast<double>(r.run_id);
      auto above = std::lower_bound(anchors.begin(), anchors.end(), std::make_pair(id, -1e300));
      if (above == anchors.begin()) days = anchors.front().second;
      else if (above == anchors.end()) days = anchors.back().second;
      else {
        const auto below = std::prev(above);
        const double span = above->first - below->first;
        days = span > 0 ? below->second + (id - below->first) / span * (above->second - below->second) : below->second;
      }
    }
    ages.push_back(std::max(0.0, (newest - days) / 365.25));
  }
  return ages;
}

double median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The catalog's 8-GPU system of `chip` (the node the GPU benchmarks ran on).
std::string node_system(const Catalog& catalog, const std::string& chip, const std::string& where) {
  for (const auto& s : catalog.systems)
    if (s.chip_name == chip && s.chip_count == 8) return s.name;
  throw InputError(where, "no 8-GPU system of chip '" + chip + "' in systems.toml (the benchmark's node)");
}

}  // namespace

std::vector<MeasuredPoint> load_measurements(const Catalog& catalog) {
  std::vector<MeasuredPoint> points;
  // InferenceX: DeepSeek-R1 on 8-GPU H200/B200 nodes. The GPUs a run uses are its decode TP (the fixtures'
  // num_decode_gpu multiplies TP by EP, which live on the same GPUs).
  // Serving assumptions, one per model (not per row): DeepSeek-R1's "fp4" runs use NVIDIA's NVFP4 checkpoint
  // (experts in NVFP4, the rest FP8) and the engines run R1 with an FP8 KV cache; gpt-oss-120b's "fp4" is its
  // own MXFP4 checkpoint, served by vLLM with KV in the model's dtype (kv_cache_dtype "auto" = bf16).
  std::map<std::string, ModelSpec> models;
  for (const auto& row : catalog.gpu_measurements) {
    if (!models.count(row.catalog_model)) models.emplace(row.catalog_model, catalog.model(row.catalog_model));
  }
  if (!catalog.gpu_measurements.empty()) {
    const std::vector<double> ages = software_ages_years(catalog.gpu_measurements);
    std::size_t index = 0;
    for (const auto& row : catalog.gpu_measurements) {
      const double age_years = ages[index++];
      const std::string file = measurement_file(catalog, row.file);
      const bool r1 = row.catalog_model == "deepseek-r1";
      const ModelSpec& model = models.at(row.catalog_model);
      MeasuredPoint m;
      m.device_class = "hbm_gpu";
      // Disaggregated runs fit the scale-out latencies, single-node MTP runs the MTP acceptance, the rest the
      // kernels' constants.
      m.fit = row.disaggregated ? "hbm_gpu_disagg" : row.spec_method == "mtp" ? "hbm_gpu_mtp" : "hbm_gpu";
      m.source = row.file;
      m.used_for_fit = row.used_for_fit;
      m.model = row.catalog_model;
      // InferenceX and InferenceMAX run on 8-GPU HGX/DGX nodes (stated once, every row): the catalog's 8-GPU
      // system of the row's chip, so that a TP/EP group wider than 8 crosses the scale-out network.
      m.hardware = row.hardware;
      m.system = node_system(catalog, row.hardware, fmt::format("{}:{}", file, row.line));
      const std::string weights = row.precision == "fp4" && r1 ? "nvfp4/fp8" : "checkpoint";
      m.request.weights = weight_format(model, weights, catalog.precisions, file);
      m.request.kv = catalog.precisions.get(r1 ? "fp8" : "bf16", file);
      m.request.tp = row.decode_tp;
      m.request.pp = 1;
      m.request.ep = row.decode_ep;
      // A benchmark client set larger than the KV room queues at the server (stated once, every row).
      m.request.queue_beyond_memory = true;
      // Software improves between releases: each run's overheads are those of its own date (stated once, every
      // row; the rate is fitted, software_overhead_growth_per_year).
      m.request.software_age_years = age_years;
      m.request.attention_dp = row.decode_dp_attention;
      // Dynamo orchestrates disaggregated runs; the engine underneath is SGLang or TRT-LLM.
      const std::string framework = row.framework.rfind("dynamo-", 0) == 0 ? row.framework.substr(7) : row.framework;
      m.request.serving_stack = framework;
      // Disaggregated runs: predicted with the fixed-pool model; they fit only the scale-out latency (stage
      // hbm_gpu_disagg), never the kernels' constants (fitted on them, attention efficiency went to its cap and
      // the per-request overheads to ~0.5 s: the pool model's missing pieces, KV transfer and Dynamo's routing).
      if (row.disaggregated) {
        m.decode_gpus = row.decode_gpus;
        m.prefill_gpus = row.prefill_gpus;
        // The decode workers' limits where the run's recipe is known.
        if (row.decode_max_running > 0)
          m.decode_slots = static_cast<double>(row.decode_gpus / row.decode_tp) * row.decode_max_running;
      }
      // Multi-token prediction: R1's MTP module drafts, with the fitted per-token acceptance (applied by
      // validate); the engine picks the draft length that is fastest (the runs do not publish theirs).
      if (row.spec_method == "mtp") m.request.spec.method = "mtp";
      m.request.concurrency = row.concurrency;
      // InferenceX (formerly InferenceMAX) draws each prompt and output length uniformly from [0.8, 1.0] x
      // nominal (the R1 file: "lengths vary up to -20%"; the gpt-oss file comes from the same harness): the mean
      // request is 0.9 x nominal, for every row of both files.
      m.request.isl = kMeanLengthShare * row.isl;
      m.request.osl = kMeanLengthShare * row.osl;
      m.label = fmt::format("{} {} {} tp{} ep{}{}{}{} c{:.0f} {:.0f}/{:.0f}", m.hardware, row.framework, row.precision,
                            *m.request.tp, *m.request.ep, row.decode_dp_attention ? " dp-attn" : "",
                            row.spec_method == "mtp" ? " mtp" : "",
                            row.disaggregated ? fmt::format(" {}P+{}D", row.prefill_gpus, row.decode_gpus) : "",
                            m.request.concurrency, row.isl, row.osl);
      m.group = fmt::format("{} {} {}{}{}", m.model, m.hardware, row.framework, row.disaggregated ? " disagg" : "",
                            row.spec_method == "mtp" ? " mtp" : "");
      m.metrics = {{"output_tokens_per_s_per_device", row.output_tokens_per_s_per_gpu},
                   {"tokens_per_s_per_user", row.tokens_per_s_per_user}};
      if (row.ttft_s > 0) m.metrics.push_back({"ttft_s", row.ttft_s});
      points.push_back(std::move(m));
    }
  }
  // Groq LPU, Llama 2 70B. Assumed once for every row: 16-bit weights and KV (the checkpoint's float16: 576 x
  // 230 MB = 132 GB is about the 138 GB the weights take at 16 bits, not the 69 GB of 8 bits) on LPU v1 chips,
  // placed by the engine. The two decode speeds are fitted (each its own group, so that leaving one out
  // predicts it from the other); TTFT is checked only: LLMPerf's client reached Groq over the internet, so its
  // TTFT holds network round trips the model does not describe. The Groq statement gives no lengths: the
  // LLMPerf rows' 550/150.
  for (const auto& row : catalog.lpu_measurements) {
    const bool statement = row.metric == "decode_tokens_per_s_per_user";
    const bool inter_token = row.metric == "inter_token_latency_p50";
    const bool ttft = row.metric == "ttft_p50";
    if (!statement && !inter_token && !ttft) continue;  // the chip count is checked by the placement tests
    MeasuredPoint m;
    m.device_class = "sram_lpu";
    m.fit = "sram_lpu";
    m.source = row.file;
    m.used_for_fit = true;
    m.model = row.catalog_model;
    m.hardware = "lpu1";
    m.system = m.hardware;
    const std::string file = measurement_file(catalog, row.file);
    const ModelSpec& model = catalog.model(m.model, file);
    m.request.weights = weight_format(model, "fp16", catalog.precisions, file);
    m.request.kv = catalog.precisions.get("fp16", file);
    m.request.concurrency = row.concurrency > 0 ? row.concurrency : 1;
    m.request.isl = row.input_tokens > 0 ? row.input_tokens : 550;
    m.request.osl = row.output_tokens > 0 ? row.output_tokens : 150;
    m.group = fmt::format("{} lpu1 {}", m.model, statement ? "groq statement" : "llmperf");
    m.label = fmt::format("lpu1 {} c{:.0f} {:.0f}/{:.0f}", row.metric, m.request.concurrency, m.request.isl, m.request.osl);
    if (ttft) m.metrics = {{"ttft_s", row.value}};
    else m.metrics = {{"tokens_per_s_per_user", inter_token ? 1.0 / row.value : row.value}};
    points.push_back(std::move(m));
  }
  // Cerebras CS-3: the vendor's single-stream peaks (stack cerebras) and its August 2024 launch speeds (the dated
  // earlier stack cerebras-2024), each with the stack's speculative decoding as catalog/speculative.toml states it
  // (the same rule for every row: `vendor`). 16-bit weights as the source sizes them, gpt-oss at its checkpoint.
  for (const auto& row : catalog.wafer_measurements) {
    const std::string file = measurement_file(catalog, row.file);
    const bool launch = row.file == "cerebras_launch_2024.csv";
    MeasuredPoint m;
    m.device_class = "wafer";
    m.fit = launch ? "wafer_2024" : "wafer";
    m.source = row.file;
    m.used_for_fit = row.used_for_fit;
    m.model = row.catalog_model;
    m.hardware = "cs-3";
    m.system = m.hardware;
    const ModelSpec model = catalog.model(m.model, file);
    m.request.weights = weight_format(model, row.served_weights, catalog.precisions, file);
    m.request.kv = catalog.precisions.get("bf16", file);
    m.request.pp = row.cs3_needed;
    m.request.concurrency = 1;
    m.request.isl = 1000;
    m.request.osl = 1000;
    m.request.serving_stack = launch ? "cerebras-2024" : "cerebras";
    m.request.spec.method = "vendor";
    m.label = fmt::format("{} on {} CS-3 ({})", row.model, *m.request.pp, launch ? "launch, Aug 2024" : "vendor peak");
    m.group = fmt::format("{} cs-3 {}", m.model, m.request.serving_stack);
    m.metrics = {{"tokens_per_s_per_user", row.tokens_per_s_per_user}};
    points.push_back(std::move(m));
  }
  // WaferLLM on WSE-2: LLaMA3-8B (the catalog's Llama 3.1 8B: the same shapes) one layer at a time on an R x C
  // grid, batch 1, 16-bit weights and KV, at 4,096 tokens of context. Each grid is its own group.
  for (const auto& row : catalog.waferllm_measurements) {
    const std::string file = measurement_file(catalog, row.file);
    MeasuredPoint m;
    m.device_class = "wafer";
    m.fit = "wafer_waferllm";
    m.source = row.file;
    m.used_for_fit = true;
    m.model = "llama-3.1-8b";
    m.hardware = "wse-2";
    m.system = m.hardware;
    const ModelSpec model = catalog.model(m.model, file);
    m.request.weights = weight_format(model, "bf16", catalog.precisions, file);
    m.request.kv = catalog.precisions.get("bf16", file);
    m.request.serving_stack = "waferllm";
    m.request.grid_rows = row.grid_rows;
    m.request.grid_cols = row.grid_cols;
    m.request.concurrency = 1;
    m.request.isl = row.isl;
    m.request.osl = 1;
    m.request.prefill_chunk_tokens = row.isl;  // the whole prompt in one MeshGEMM pass, as the paper times it
    m.label = fmt::format("LLaMA3-8B {} on {}x{} WSE-2 cores (WaferLLM)", row.kind, row.grid_rows, row.grid_cols);
    m.group = fmt::format("{} wse-2 waferllm {} {}x{}", m.model, row.kind, row.grid_rows, row.grid_cols);
    m.metrics = {{row.kind == "decode" ? "tokens_per_s_per_user" : "prefill_tokens_per_s", row.tokens_per_s}};
    points.push_back(std::move(m));
  }
  return points;
}

std::vector<ValidationRow> validate(const Catalog& catalog, const std::vector<MeasuredPoint>& points) {
  const PerfEngine engine(catalog);
  const double mtp_acceptance = catalog.constants_for("hbm_gpu").get("mtp_acceptance");
  // Each model's config.json is read once, not once per point.
  std::map<std::string, ModelSpec> models;
  std::map<std::string, Hardware> hardware;
  for (const auto& m : points) {
    if (!models.count(m.model)) models.emplace(m.model, catalog.model(m.model));
    if (!hardware.count(m.system)) hardware.emplace(m.system, catalog.hardware(m.system));
  }
  // Points are independent: predicted in parallel, each into its own slot (the order stays the input's).
  std::vector<std::optional<PerfResult>> results(points.size());
  std::vector<std::optional<FixedPoolsResult>> pools(points.size());
  tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t i) {
    PerfRequest request = points[i].request;
    request.record_terms = false;
    // MTP always with the catalog's current fitted acceptance (a fit changes it per trial).
    if (request.spec.method == "mtp") request.spec.acceptance = mtp_acceptance;
    try {
      if (points[i].prefill_gpus > 0)
        pools[i] = predict_fixed_pools(engine, models.at(points[i].model), hardware.at(points[i].system), request,
                                       points[i].decode_gpus, points[i].prefill_gpus, points[i].decode_slots);
      else
        results[i] = engine.run(models.at(points[i].model), hardware.at(points[i].system), request);
    } catch (const InfeasibleError&) {
      // Predicted not to fit: kept as a row with no prediction, counted as a 100% error.
    }
  });
  // A metric of either prediction (single pool or fixed pools: the same three fields).
  auto metric_of = [](const auto& prediction, const std::string& metric) {
    return metric == "tokens_per_s_per_user" ? prediction.tokens_per_s_per_user
           : metric == "ttft_s"              ? prediction.ttft_s
                                             : prediction.output_tokens_per_s_per_device;
  };
  std::vector<ValidationRow> rows;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const MeasuredPoint& m = points[i];
    for (const auto& [metric, measured] : m.metrics) {
      ValidationRow row{m.device_class, m.source, m.label, metric, m.group, m.used_for_fit, measured, 0};
      if (results[i]) row.predicted = metric == "prefill_tokens_per_s" ? m.request.isl / results[i]->prefill_s
                                                                       : metric_of(*results[i], metric);
      // A disaggregated run's measured output per GPU is over its decode GPUs (InferenceX's definition, see
      // FixedPoolsResult); the model's own per-device figure, over both pools, is what `disagg` and the frontier price.
      if (pools[i])
        row.predicted = metric == "output_tokens_per_s_per_device" ? pools[i]->output_tokens_per_s_per_decode_device
                                                                   : metric_of(*pools[i], metric);
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<ErrorSummary> summarize(const std::vector<ValidationRow>& rows) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> groups;
  for (const auto& r : rows)
    groups[{r.device_class, r.metric, r.used_for_fit ? "fitted" : "held back"}].push_back(std::fabs(r.error()));
  std::vector<ErrorSummary> summary;
  for (const auto& [key, errors] : groups) {
    ErrorSummary s;
    std::tie(s.device_class, s.metric, s.subset) = key;
    s.rows = static_cast<int>(errors.size());
    s.median_abs_error = median(errors);
    s.worst_abs_error = *std::max_element(errors.begin(), errors.end());
    summary.push_back(s);
  }
  return summary;
}

std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                                double step, int max_evaluations) {
  const std::size_t n = x0.size();
  std::vector<std::vector<double>> simplex(n + 1, x0);
  for (std::size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  std::vector<double> values(n + 1);
  for (std::size_t i = 0; i <= n; ++i) values[i] = f(simplex[i]);
  int evaluations = static_cast<int>(n + 1);
  while (evaluations < max_evaluations) {
    std::vector<std::size_t> order(n + 1);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (std::fabs(values[worst] - values[best]) < 1e-10) break;
    std::vector<double> centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != worst) for (std::size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / n;
    auto along = [&](double t) {
      std::vector<double> x(n);
      for (std::size_t j = 0; j < n; ++j) x[j] = centroid[j] + t * (simplex[worst][j] - centroid[j]);
      return x;
    };
    auto reflected = along(-1.0);
    const double fr = f(reflected);
    ++evaluations;
    if (fr < values[best]) {
      auto expanded = along(-2.0);
      const double fe = f(expanded);
      ++evaluations;
      if (fe < fr) { simplex[worst] = expanded; values[worst] = fe; }
      else { simplex[worst] = reflected; values[worst] = fr; }
    } else if (fr < values[second]) {
      simplex[worst] = reflected;
      values[worst] = fr;
    } else {
      auto contracted = along(0.5);
      const double fc = f(contracted);
      ++evaluations;
      if (fc < values[worst]) {
        simplex[worst] = contracted;
        values[worst] = fc;
      } else {  // shrink towards the best
        for (std::size_t i = 0; i <= n; ++i) {
          if (i == best) continue;
          for (std::size_t j = 0; j < n; ++j) simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
          values[i] = f(simplex[i]);
          ++evaluations;
        }
      }
    }
  }
  const auto best = std::min_element(values.begin(), values.end()) - values.begin();
  return simplex[best];
}

namespace {

// The device class whose table a fit sets ("hbm_gpu_mtp" -> "hbm_gpu").
std::string class_of_fit(const std::string& fit) {
  if (fit.rfind("hbm_gpu_", 0) == 0) return "hbm_gpu";
  return fit.rfind("wafer_", 0) == 0 ? "wafer" : fit;
}

// The metrics a fit minimises: throughput per device, speed per user and TTFT (which alone pins the per-request
// overhead and, through long prompts, prefill's efficiency).
// LPU and wafer: decode speed per user only (their TTFTs are published from clients across the internet).
// hbm_gpu_disagg: speed per user only, the decode step its two scale-out latencies set. The runs' TTFTs carry waits
// the pool model does not describe (H100 TRT-LLM: 2-27 s medians at 6 to 4,916 clients), and through Little's law
// their throughput carries them too: fitted on throughput as well, the latencies (and any hand-over constant) move to
// absorb those waits, and the frontier's H100 fails to reach 120 tokens/s per user. Throughput and TTFT are checked.
bool fitted_metric(const std::string& fit, const std::string& metric) {
  if (fit == "wafer_waferllm") return metric == "tokens_per_s_per_user" || metric == "prefill_tokens_per_s";
  if (fit != "hbm_gpu" && fit != "hbm_gpu_mtp") return metric == "tokens_per_s_per_user";
  return metric == "output_tokens_per_s_per_device" || metric == "tokens_per_s_per_user" || metric == "ttft_s";
}

double objective(const std::string& fit, const std::vector<ValidationRow>& rows) {
  const std::string device_class = class_of_fit(fit);
  std::vector<double> errors;
  for (const auto& r : rows)
    if (r.device_class == device_class && r.used_for_fit && fitted_metric(fit, r.metric)) errors.push_back(r.error());
  if (errors.empty()) return 0;
  // Mean |log error| per group, averaged over groups: each model x hardware x stack counts once, however many
  // runs its file has (the 292 gpt-oss runs would otherwise outweigh DeepSeek-R1's 60 five to one).
  std::map<std::string, std::pair<double, int>> by_group;
  for (const auto& r : rows)
    if (r.device_class == device_class && r.used_for_fit && fitted_metric(fit, r.metric)) {
      auto& [total, n] = by_group[r.group];
      total += std::fabs(std::log1p(r.error()));
      ++n;
    }
  double sum = 0;
  for (const auto& [group, total_n] : by_group) sum += total_n.first / total_n.second;
  return sum / by_group.size();
}

Catalog with_values(const Catalog& catalog, const std::string& device_class, const std::vector<std::string>& names,
                    const std::vector<double>& values) {
  Catalog copy = catalog;
  for (auto& c : copy.device_constants)
    if (c.device_class == device_class)
      for (std::size_t i = 0; i < names.size(); ++i) c.values[names[i]] = values[i];
  return copy;
}


// The runs a fit uses: its class's fitted runs, on GPUs those of its stage.
std::vector<MeasuredPoint> fitted_points(const Catalog& catalog, const std::string& fit,
                                         const std::string& leave_out_group = "") {
  const std::string device_class = class_of_fit(fit);
  std::vector<MeasuredPoint> points;
  for (auto& p : load_measurements(catalog)) {
    if (p.device_class != device_class || !p.used_for_fit || p.group == leave_out_group) continue;
    if (p.fit != fit) continue;
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace

std::vector<std::string> fit_names() {
  std::vector<std::string> names;
  for (const auto& [name, constants] : fitted_constants()) names.push_back(name);
  return names;
}

double fit_objective(const Catalog& catalog, const std::string& fit) {
  return objective(fit, validate(catalog, fitted_points(catalog, fit)));
}

FitResult fit_device_class(const Catalog& catalog, const std::string& fit, const std::string& leave_out_group) {
  const std::vector<std::string>* constants = constants_of_fit(fit);
  if (!constants) {
    std::string known;
    for (const auto& name : fit_names()) known += (known.empty() ? "" : ", ") + name;
    throw InputError("device_class", "'" + fit + "' has no fitted constants (fitted: " + known + ")");
  }
  const std::string device_class = class_of_fit(fit);
  FitResult result;
  result.fit = fit;
  result.device_class = device_class;
  result.names = *constants;
  const DeviceConstants& current = catalog.constants_for(device_class);
  std::vector<double> start;
  // Fractions start inside their bound (a start on the bound would make every trial of the simplex infeasible).
  auto cap_of = [](const std::string& name) {
    if (name.find("acceptance") != std::string::npos) return kMaxAcceptance;
    return name.find("efficiency") != std::string::npos ? 1.0 : std::numeric_limits<double>::infinity();
  };
  for (const auto& name : result.names) start.push_back(std::log(std::min(current.get(name), 0.95 * cap_of(name))));
  const auto points = fitted_points(catalog, fit, leave_out_group);
  if (points.empty()) throw InputError("device_class", "no measurements left to fit " + fit + " on");
  auto f = [&](const std::vector<double>& x) {
    std::vector<double> values;
    for (double v : x) values.push_back(std::exp(v));
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] >= cap_of(result.names[i])) return 1e9;
    const Catalog trial = with_values(catalog, device_class, result.names, values);
    return objective(fit, validate(trial, points));
  };
  // A coarse grid (x0.5 .. x2 of each starting value, and the start itself) before the simplex, since the
  // wafer objective (a maximum, with a discrete choice of draft length) has flat steps. 3^n points: only for
  // the few constants of such a class.
  std::vector<double> x = start;
  double best = f(start);
  const bool grid = start.size() <= 4;
  const std::vector<double> factors = {std::log(0.5), 0.0, std::log(2.0)};
  std::vector<std::size_t> index(start.size(), 0);
  while (grid) {
    std::vector<double> trial = start;
    for (std::size_t i = 0; i < start.size(); ++i) trial[i] += factors[index[i]];
    const double value = f(trial);
    if (value < best) { best = value; x = trial; }
    std::size_t i = 0;
    while (i < index.size() && ++index[i] == factors.size()) index[i++] = 0;
    if (i == index.size()) break;
  }
  for (int restart = 0; restart < 4; ++restart) x = nelder_mead(f, x, restart == 0 ? 0.3 : 0.1, 300);
  for (double v : x) result.values.push_back(std::exp(v));
  const Catalog fitted = with_values(catalog, device_class, result.names, result.values);
  result.objective = objective(fit, validate(fitted, points));
  std::string residuals;
  for (const auto& s : summarize(validate(fitted, points))) {
    if (!fitted_metric(fit, s.metric)) continue;
    residuals += fmt::format("{}{}: median {:.1f}%, worst {:.1f}% over {} rows", residuals.empty() ? "" : "; ", s.metric,
                             100 * s.median_abs_error, 100 * s.worst_abs_error, s.rows);
  }
  result.residuals = residuals;
  return result;
}

Catalog with_fit(const Catalog& catalog, const FitResult& fit) {
  return with_values(catalog, fit.device_class, fit.names, fit.values);
}

namespace {

struct ErrorStats {
  double median_abs = NAN, signed_median = NAN, worst_abs = NAN;
};
ErrorStats stats_of(const std::vector<double>& errors) {
  ErrorStats s;
  if (errors.empty()) return s;
  std::vector<double> absolute;
  for (double e : errors) absolute.push_back(std::fabs(e));
  s.median_abs = median(absolute);
  s.signed_median = median(errors);
  s.worst_abs = *std::max_element(absolute.begin(), absolute.end());
  return s;
}

using GroupKey = std::tuple<std::string, std::string, std::string>;  // class, group, metric

std::map<GroupKey, std::vector<double>> errors_by_group(const std::vector<ValidationRow>& rows) {
  std::map<GroupKey, std::vector<double>> groups;
  for (const auto& r : rows)
    if (r.used_for_fit) groups[{r.device_class, r.group, r.metric}].push_back(r.error());
  return groups;
}

}  // namespace

std::vector<GroupError> cross_validate(const Catalog& catalog, const std::string& fit,
                                       const std::function<void(const std::string&)>& progress) {
  const std::string device_class = class_of_fit(fit);
  const auto points = fitted_points(catalog, fit);
  std::vector<std::string> groups;
  for (const auto& p : points)
    if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) groups.push_back(p.group);
  const auto fit_errors = errors_by_group(validate(catalog, points));
  std::map<GroupKey, std::vector<double>> cv_errors;
  for (const auto& group : groups) {
    if (progress) progress(fmt::format("{}: refit without {}", device_class, group));
    const FitResult refit = fit_device_class(catalog, fit, group);
    const Catalog refitted = with_fit(catalog, refit);
    std::vector<MeasuredPoint> held_out;
    for (const auto& p : points)
      if (p.group == group) held_out.push_back(p);
    for (auto& [key, errors] : errors_by_group(validate(refitted, held_out))) cv_errors[key] = errors;
  }
  std::vector<GroupError> result;
  for (const auto& [key, errors] : cv_errors) {
    GroupError g;
    std::tie(g.device_class, g.group, g.metric) = key;
    g.n = static_cast<int>(errors.size());
    const ErrorStats cv = stats_of(errors);
    g.cv_median_ape = cv.median_abs;
    g.signed_median = cv.signed_median;
    g.worst_ape = cv.worst_abs;
    if (auto it = fit_errors.find(key); it != fit_errors.end()) g.fit_median_ape = stats_of(it->second).median_abs;
    result.push_back(g);
  }
  return result;
}

std::vector<GroupError> group_errors(const Catalog& catalog, const std::vector<ValidationRow>& rows) {
  std::vector<GroupError> result;
  for (const auto& [key, errors] : errors_by_group(rows)) {
    GroupError g;
    std::tie(g.device_class, g.group, g.metric) = key;
    g.n = static_cast<int>(errors.size());
    g.fit_median_ape = stats_of(errors).median_abs;
    for (const auto& record : catalog.cross_validation) {
      if (record.device_class != g.device_class || record.group != g.group || record.metric != g.metric) continue;
      g.cv_median_ape = record.cv_median_ape;
      g.signed_median = record.signed_median;
      g.worst_ape = record.worst_ape;
    }
    result.push_back(g);
  }
  // Held-back groups were never fitted on: their errors with the catalog's constants are out-of-sample already.
  std::map<GroupKey, std::vector<double>> held_back;
  for (const auto& r : rows)
    if (!r.used_for_fit) held_back[{r.device_class, r.group, r.metric}].push_back(r.error());
  for (const auto& [key, errors] : held_back) {
    GroupError g;
    std::tie(g.device_class, g.group, g.metric) = key;
    g.held_back = true;
    g.n = static_cast<int>(errors.size());
    const ErrorStats s = stats_of(errors);
    g.cv_median_ape = s.median_abs;
    g.signed_median = s.signed_median;
    g.worst_ape = s.worst_abs;
    result.push_back(g);
  }
  return result;
}

void write_cross_validation(const std::string& path, const std::vector<GroupError>& errors) {
  std::vector<std::string> kept;
  if (std::ifstream in(path); in) {
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#' || line.rfind("device_class,", 0) == 0) continue;
      // Rows of the groups `errors` covers are replaced; other groups' rows (other fits) are kept.
      const auto first = line.find(',');
      const std::string cls = line.substr(0, first);
      const std::string group = line.substr(first + 1, line.find(',', first + 1) - first - 1);
      bool replaced = false;
      for (const auto& e : errors) replaced = replaced || (e.device_class == cls && e.group == group);
      if (!replaced) kept.push_back(line);
    }
  }
  std::ofstream out(path);
  out << "# Leave-one-group-out cross-validation of each device class's fitted constants, written by `waferscope\n"
         "# calibrate --write`: a group (model x hardware x serving stack) is left out, the constants are refitted on\n"
         "# the rest and the group is predicted. fit_median_ape uses the constants fitted on every group (for contrast).\n"
         "# Errors are predicted / measured - 1, as fractions.\n"
         "device_class,group,metric,n,fit_median_ape,cv_median_ape,signed_median,worst_ape\n";
  for (const auto& line : kept) out << line << "\n";
  for (const auto& e : errors)
    out << fmt::format("{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f}\n", e.device_class, e.group, e.metric, e.n,
                       e.fit_median_ape, e.cv_median_ape, e.signed_median, e.worst_ape);
}

void write_fit(const std::string& path, const FitResult& fit) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "cannot be read");
  std::string line, table, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(1, line.find(']') - 1);
    if (table == fit.device_class) {
      const std::string key = line.substr(0, line.find(" ="));
      // A later stage (hbm_gpu_mtp) sets its constants only; the table's residuals are its class's own fit's.
      if (key == "residuals" && fit.fit == fit.device_class) line = "residuals = \"" + fit.residuals + "\"";
      for (std::size_t i = 0; i < fit.names.size(); ++i)
        if (key == fit.names[i]) line = fmt::format("{} = {:.6g}", key, fit.values[i]);
    }
    out += line + "\n";
  }
  std::ofstream(path) << out;
}

}  // namespace ws
