#pragma once
#include <unordered_map>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "model/footprint.h"
#include "perf/device_class.h"

namespace ws {

// Speculative decoding: each iteration drafts k tokens, then the target verifies k + 1 positions in one
// step; with per-token acceptance a the expected tokens per iteration are (1 - a^(k+1)) / (1 - a).
struct SpecDecode {
  // none | draft (a catalog model drafts) | mtp (the model's MTP module) | vendor (the serving stack's production
  // drafting, catalog/speculative.toml)
  std::string method = "none";
  std::string draft_model;      // for method = draft
  int draft_tokens = 0;         // k; 0 = choose the k that maximises speed
  double acceptance = 0.8;
  bool acceptance_given = false;  // the request set it (a method's default never overrides it)
};
double expected_tokens_per_iteration(double acceptance, int draft_tokens);

struct PerfRequest {
  double concurrency = 1;
  double isl = 1024;  // input tokens per request
  double osl = 1024;  // output tokens per request
  std::optional<int> devices, tp, pp, ep;
  bool attention_dp = false;  // attention data-parallel over the TP group (with EP for the experts)
  // The software stack whose constants apply (hbm_gpu: vllm, sglang, trt; wafer: cerebras, waferllm, ...);
  // empty: the device class's default.
  std::string serving_stack;
  int grid_rows = 0, grid_cols = 0;  // wafers: run each layer on an R x C region of cores (0: the whole wafer)
  WeightFormat weights;
  Precision kv;
  bool honor_windows = true;
  SpecDecode spec;
  double prefill_chunk_tokens = 8192;
  double prefix_cached_tokens = 0;  // of the isl input tokens, how many are already cached (not prefilled)
  bool record_terms = true;  // name every term of the critical path (--explain); sweeps turn it off
  // When the KV of `concurrency` sequences does not fit: run the largest batch that does and let the other
  // clients wait for a slot (a server's admission queue), instead of reporting the request infeasible.
  bool queue_beyond_memory = false;
  // Years the serving software is older than the release the fitted overheads describe (the newest fitted run):
  // set for each measured run by calibration from its date; 0, today's software, for every prediction.
  double software_age_years = 0;
};

struct PerfResult {
  std::string model;
  std::string hardware;
  std::string device_class;
  Parallelism parallel;
  int devices = 0;
  double systems = 0;  // devices / chips per system (fractional)
  double concurrency = 0, isl = 0, osl = 0;
  double prefix_cached_tokens = 0;  // of the isl, already in the KV cache (not prefilled): the workload's assumption
  double running_sequences = 0;  // sequences decoding at once: the concurrency, or fewer when KV room queues the rest
  int microbatches = 1;

  double ttft_s = 0;
  double tpot_s = 0;
  double tokens_per_s_per_user = 0;
  double tokens_per_s_per_user_without_speculation = 0;
  std::string serving_stack;  // whose constants applied (the device class's default when the request named none)  // the same without drafting (equal when none runs)
  double output_tokens_per_s = 0;
  double output_tokens_per_s_per_device = 0;
  double total_tokens_per_s_per_device = 0;
  std::string bound;

  double decode_step_s = 0;      // one decode iteration for the whole batch (pipeline round)
  double decode_latency_s = 0;   // one microbatch through every stage and hop
  double prefill_s = 0;          // one prompt, chunked
  double prefill_stall_per_token_s = 0;  // decode time lost to other requests' prefills, per output token
  double queue_s = 0;
  double request_overhead_s = 0;  // the serving stack's own time per request before its first token
  double spec_tokens_per_iteration = 1;
  int spec_draft_tokens = 0;

  double weight_bytes = 0;
  double kv_bytes = 0;  // all sequences at isl + osl
  double memory_capacity_bytes = 0;

  StepTime critical_path;           // terms of one decode step, first microbatch through the pipeline
  std::vector<StepTime> stage_times;  // per stage, one microbatch
};

struct PipelineTime {
  std::vector<StepTime> stages;
  StepTime hop;
  double latency_s = 0;  // one microbatch through every stage and hop
  double round_s = 0;    // the slowest stage
};

// Prefill times an engine has computed, by deployment and prompt (a prompt's prefill does not depend on how many
// requests share the server; a frontier sweeps a dozen concurrencies over each plan). One per engine, so a
// catalog with other constants (a fit's trial) never sees another's times.
struct PrefillMemo {
  std::mutex mutex;
  std::unordered_map<std::string, double> seconds;
};

// Step times of one planned deployment (parallelism and stages fixed): the single source of step times for
// `perf`, the frontier and the serving simulator.
class StepTimer {
 public:
  StepTimer(const ModelSpec& model, const Hardware& hardware, const DeviceClass& device, const PerfRequest& request,
            Parallelism parallel, std::vector<std::pair<int, int>> groups);
  int microbatches(double sequences) const;  // min(sequences, stages)
  PipelineTime pipeline(const StepWork& work) const;
  bool repeats_previous_stage(const StepWork& work, int s) const;
  // One decode iteration for `sequences` sequences at `mean_context`, microbatched over the stages.
  std::pair<double, PipelineTime> decode(double sequences, double mean_context, double tokens_per_sequence = 1,
                                         bool record_terms = false) const;
  double decode_s(double sequences, double mean_context) const { return decode(sequences, mean_context).first; }
  // One draft step of `sequences` sequences (StepWork::draft), one stage.
  double draft_s(double sequences, double mean_context) const;
  // Prefill of `new_tokens` after `past_tokens` already cached: chunked, pipelined over the stages.
  double prefill_s(double new_tokens, double past_tokens) const;
  const Parallelism& parallel() const { return parallel_; }
  const Hardware& hardware() const { return hardware_; }
  const ModelSpec& model() const { return model_; }
  const PerfRequest& request() const { return request_; }
  void remember_prefills_in(PrefillMemo* memo) { memo_ = memo; }

 private:
  double prefill_uncached_s(double new_tokens, double past_tokens) const;
  // `work` as this request's engine runs it: its stack's constants, its software age, terms named or not.
  StepWork for_this_request(StepWork work, bool record_terms) const;
  PrefillMemo* memo_ = nullptr;
  ModelSpec model_;
  Hardware hardware_;
  const DeviceClass* device_;
  PerfRequest request_;
  Parallelism parallel_;
  std::vector<std::pair<int, int>> groups_;
  double step_overhead_s_ = 0;  // the device class's per-iteration engine overhead for the request's stack
  double overhead_scale_ = 1;   // its software-age factor (DeviceClass::software_age_factor), on every overhead
};

// Predicts speed for a model on hardware. Holds one instance of each device class, built from the
// catalog's calibration constants through the registry.
class PerfEngine {
 public:
  explicit PerfEngine(const Catalog& catalog);
  // Throws InfeasibleError (what does not fit and what would) or InputError (bad parallelism flags).
  PerfResult run(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const;
  const DeviceClass& device_class(const std::string& name) const;
  const Catalog& catalog() const { return catalog_; }
  // Plans the deployment exactly as run() does (same parallelism, stages and memory checks) and returns its
  // step timer.
  StepTimer step_timer(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const;

 private:
  std::shared_ptr<PrefillMemo> prefill_memo_ = std::make_shared<PrefillMemo>();
  struct Plan {
    PerfResult result;  // identity, memory and parallelism fields filled
    Parallelism parallel;
    std::vector<std::pair<int, int>> groups;
  };
  Plan plan(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const;
  PerfResult run_admitted(const ModelSpec& model, const Hardware& hardware, const PerfRequest& request) const;
  const Catalog& catalog_;
  std::map<std::string, std::unique_ptr<DeviceClass>> classes_;
};

// Balanced contiguous split of layers into `stages` groups (minimises the largest group's bytes); the first
// group also carries `first_extra`, the last `last_extra`.
std::vector<std::pair<int, int>> split_layers(const std::vector<double>& layer_bytes, double first_extra,
                                              double last_extra, int stages);

}  // namespace ws
