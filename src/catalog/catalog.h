#pragma once
#include <optional>
#include <string>
#include <vector>

#include "catalog/deals.h"
#include "core/precision.h"
#include "hardware/chip.h"
#include "hardware/device_constants.h"
#include "hardware/economics.h"
#include "hardware/roadmap.h"
#include "hardware/facility.h"
#include "hardware/system.h"
#include "model/model_spec.h"
#include "workload/workload.h"

namespace ws {

struct ModelEntry {
  std::string name;  // catalog key
  std::string display_name;
  std::string hf_id;
  std::string config_path;  // absolute; empty for aggregates
  std::string source;
  std::string published_name;
  std::optional<AggregateFigures> aggregate;
  double max_context_tokens = 0;  // aggregates only; configs carry their own
};

struct WorkloadEntry {
  std::string name;        // file stem: "agentic-coding"
  std::string file;
  Workload workload;       // lengths and mix (for trace workloads: filled from the trace on demand)
  std::string trace_path;  // absolute; empty when the file gives lengths itself
  bool mix_given = false;
};

// peers.toml [public-calculator]: the public tokenomics calculator's constants (econ/token_cost.h uses them).
struct CalculatorConstants {
  double interactivity_coefficient = 0;
  double interactivity_exponent = 0;
  double cache_read_speedup = 0;
  double default_concurrency = 0;
  double rental_usd_per_hour = 0;
  std::string source;
};

// measurements/inferencex_dsr1_h200_b200.csv: one measured GPU serving run per row (perf/calibration.h turns
// the rows into engine requests). Columns the loader does not know are rejected with file:line.
struct GpuServingMeasurement {
  std::string file;  // "inferencex_dsr1_h200_b200.csv"
  int line = 0;
  std::string catalog_model;  // "deepseek-r1", "gpt-oss-120b"
  bool used_for_fit = true;   // false: checking data (calibration.toml's fitted_on names the fitted files)
  std::string hardware, framework, precision;
  int decode_tp = 0, decode_ep = 0;
  bool decode_dp_attention = false;
  std::string spec_method = "none";  // "none" or "mtp" (multi-token prediction drafting)
  bool disaggregated = false;        // prefill and decode pools (Dynamo); output per GPU divides by decode GPUs
  int decode_gpus = 0, prefill_gpus = 0;  // disaggregated rows only
  // Sequences each decode worker runs at once, from the run's recipe (measurements/inferencex_dynamo_decode_batch.csv);
  // 0 where the recipe is not known.
  int decode_max_running = 0;
  double concurrency = 0, isl = 0, osl = 0;
  double output_tokens_per_s_per_gpu = 0;  // output_tput_per_gpu (disaggregated: over decode GPUs, InferenceX)
  double tokens_per_s_per_user = 0;        // median_intvty
  double ttft_s = 0;                       // median_ttft
  std::string date;      // the run's date, YYYY-MM-DD ("" where the file gives none: the gpt-oss file)
  long long run_id = 0;  // its GitHub Actions run (run_url's /runs/N, or the run_id column): ids grow with time
};

// measurements/cerebras_cloud_calibration.csv (fitted) and cerebras_launch_2024.csv (held back): single-stream
// decode speeds on CS-3.
// speculative.toml: a vendor stack's production speculative decoding (what `--spec-decode vendor` means).
struct VendorSpeculation {
  std::string stack;  // the serving stack, as in calibration.toml: "cerebras"
  std::string source, acceptance_source, draft_tokens_source;
  double acceptance = 0;
  int draft_tokens = 0;
  std::map<std::string, std::string> drafts;  // target model -> draft model (catalog names)
};

struct WaferSpeedMeasurement {
  std::string file;
  int line = 0;
  bool used_for_fit = false;
  std::string model;           // as published
  std::string catalog_model, served_weights;
  int cs3_needed = 0;
  double tokens_per_s_per_user = 0;
};

// measurements/groq_llama2_70b_2024.csv: Groq LPU serving Llama 2 70B (2023-2024), one published figure per row.
struct LpuMeasurement {
  std::string file;
  int line = 0;
  std::string catalog_model;  // "llama-2-70b"
  std::string row_type;       // speed | latency | chips
  std::string metric;         // as published: decode_tokens_per_s_per_user, inter_token_latency_p50, ttft_p50, ...
  double value = 0;
  double input_tokens = 0, output_tokens = 0, concurrency = 0;  // 0 where the row does not say
  std::string source;
};

// measurements/waferllm_llama3_8b_wse2.csv: WaferLLM's LLaMA3-8B decode and prefill speeds on WSE-2 regions.
struct WaferLlmMeasurement {
  std::string file;
  int line = 0;
  std::string kind;  // decode | prefill
  int grid_rows = 0, grid_cols = 0;
  double isl = 0;
  double tokens_per_s = 0;  // decode: tokens/s for the one request; prefill: prompt tokens/s
};

// cross_validation.csv: what `waferscope calibrate --write` measured by leave-one-group-out (perf/calibration.h).
struct CrossValidationRecord {
  int line = 0;
  std::string device_class, group, metric;
  int n = 0;
  double fit_median_ape = 0, cv_median_ape = 0, signed_median = 0, worst_ape = 0;
};

// facilities.toml (absent file: both empty).
struct Facilities {
  std::vector<SystemCooling> cooling;
  std::vector<CapacityPlan> capacity_plans;
};

// Everything the catalog folder holds, validated. Immutable once loaded.
// Whether a name that is not in the catalog may be read as a file path. The CLI reads the user's own files; the
// API serves remote callers, who must not make the server open its files (or /dev/stdin), so it takes names only.
enum class UserPaths { allowed, refused };

struct Catalog {
  std::string root;
  std::vector<Chip> chips;
  std::vector<System> systems;
  std::vector<ModelEntry> models;
  std::vector<SystemEconomics> economics;
  PrecisionTable precisions;
  std::vector<DeviceConstants> device_constants;  // calibration.toml, one per device class
  std::vector<WorkloadEntry> workloads;           // workloads/*.toml
  std::vector<PriceList> prices;                  // prices.toml
  Facilities facilities;                          // facilities.toml
  std::optional<CalculatorConstants> calculator;  // peers.toml (absent when the folder has none)
  std::vector<GpuServingMeasurement> gpu_measurements;     // measurements/ (empty when a file is absent)
  std::vector<VendorSpeculation> speculation;  // speculative.toml
  std::vector<WaferSpeedMeasurement> wafer_measurements;
  std::vector<LpuMeasurement> lpu_measurements;
  std::vector<WaferLlmMeasurement> waferllm_measurements;
  std::vector<CrossValidationRecord> cross_validation;  // cross_validation.csv (empty when absent)
  RoadmapCatalog roadmap;  // roadmap.toml: its derived designs are also in chips, systems and economics
  std::vector<Contract> contracts;       // deals.toml
  std::vector<DealPreset> deal_presets;  // deal_presets.toml
  std::vector<SystemBom> boms;           // bom.toml

  // Lookups are case-insensitive; an unknown name throws InputError naming `where` and the closest names.
  const Chip& chip(const std::string& name, const std::string& where = "chip") const;
  // A system name, or a chip name (then a one-chip system).
  Hardware hardware(const std::string& name, const std::string& where = "hardware") const;
  // A catalog model name, or a path to a config.json / a folder holding one.
  ModelSpec model(const std::string& name_or_path, const std::string& where = "model",
                  UserPaths paths = UserPaths::allowed) const;
  const SystemEconomics& economics_for(const std::string& hardware_name, const std::string& where = "hardware") const;

  const DeviceConstants& constants_for(const std::string& device_class) const;  // throws InputError
  // A catalog workload name or a path to a workload .toml; trace workloads read their trace here.
  Workload workload(const std::string& name_or_path, const std::string& where = "workload",
                    UserPaths paths = UserPaths::allowed) const;
  const SystemCooling* cooling_for(const std::string& system_name) const;  // nullptr: none in facilities.toml
  const CapacityPlan& capacity_plan(const std::string& name, const std::string& where) const;
  const PriceList& price_list(const std::string& name, const std::string& where = "price_list") const;
  std::vector<std::string> workload_names() const;

  std::vector<std::string> chip_names() const;
  std::vector<std::string> system_names() const;
  std::vector<std::string> model_names() const;
  std::vector<std::string> hardware_names() const;  // systems then chips
};

// Device classes the catalog may name (each must be registered in perf/device_class_registry.cpp; a test
// checks the two agree).
const std::vector<std::string>& catalog_device_classes();

// Loads and validates every file under `root`: chips.toml, systems.toml, precisions.toml, models.toml (and
// the config.json files it names), economics.toml, calibration.toml, workloads/, prices.toml, and when present
// peers.toml and measurements/*.csv. Throws InputError with file:line for any bad entry.
Catalog load_catalog(const std::string& root);

// One catalog file through its own loader, as load_catalog reads it; `context` supplies what the file refers to
// (chips for systems.toml, hardware names for economics.toml, precisions for models.toml). `kind` is one of
// catalog_file_kinds(): the file's name, or "workload" for a workloads/*.toml. The fuzz harnesses use this.
void load_catalog_file(const std::string& kind, const std::string& path, const Catalog& context);
const std::vector<std::string>& catalog_file_kinds();

// --catalog flag > $WAFERSCOPE_CATALOG > the catalog folder of the source tree this binary was built from.
std::string default_catalog_dir();

}  // namespace ws
