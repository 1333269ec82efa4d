#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "econ/token_cost.h"
#include "perf/engine.h"
#include "sim/request.h"
#include "workload/workload.h"

namespace ws {

// R replicas of one deployment on one hardware (a wafer pipeline, a GPU TP/PP group, ...).
struct PoolSpec {
  Hardware hardware;
  PerfRequest perf;  // parallelism and precisions (lengths and concurrency are ignored)
  int replicas = 1;
  SystemPrice price;
};

struct SimConfig {
  std::string scheduler = "continuous";
  std::string router = "round_robin";
  double token_budget = 8192;     // prefill tokens per iteration
  int max_batch = 512;            // running requests per replica
  double kv_block_tokens = 16;    // paged KV block
  bool prefix_cache = true;
  double prefix_block_tokens = 512;  // Mooncake hash_ids granularity
  double prefix_cache_share = 0.25;  // of device KV memory, on systems without a host tier
  double slo_ttft_s = 0, slo_tpot_s = 0;  // 0 = no SLO
  double sample_interval_s = 1.0;
  double switch_hops = 2, switch_hop_latency_s = 5e-6;
  // The reference: every iteration is its own event. Otherwise stretches of one unchanged decode-only batch
  // are applied without events (same results, byte for byte; simulator_test compares the two).
  bool step_by_step = false;
};

// Where requests come from: a fixed list or a stream (a trace or a synthetic open-loop stream), or a closed
// loop that keeps `closed_loop_concurrency` requests in flight until `closed_loop_requests` have been issued.
struct Traffic {
  std::vector<SimRequest> requests;  // open loop, sorted by arrival
  // Open loop, streamed: the next request in arrival order (false at the end), pulled when the clock reaches
  // the one before; `stream_requests` and `mean_context_tokens` (input + output / 2) come from a first pass.
  std::function<bool(SimRequest&)> pull;
  long long stream_requests = 0;
  double mean_context_tokens = 0;
  int closed_loop_concurrency = 0;
  long long closed_loop_requests = 0;
  std::function<SimRequest(long long id)> make_request;  // closed loop: the next request's lengths
};

struct TimeSample {
  double time_s = 0;
  double waiting = 0, running = 0, in_system = 0;
  double kv_occupancy = 0;  // used / capacity over all replicas
  // Shares of replica time in the interval ending here (they sum to 1).
  double prefill_share = 0, decode_share = 0, idle_share = 1;
  double prefill_busy_s = 0, decode_busy_s = 0;  // busy replica-seconds from the start to here
};

struct SimSummary {
  long long requests = 0, completed = 0, rejected = 0;
  double duration_s = 0;
  double ttft_p50 = 0, ttft_p90 = 0, ttft_p99 = 0, ttft_mean = 0;
  double tpot_p50 = 0, tpot_p90 = 0, tpot_p99 = 0, tpot_mean = 0;
  double e2e_p50 = 0, e2e_p90 = 0, e2e_p99 = 0, e2e_mean = 0;
  double input_tokens = 0, output_tokens = 0;
  double output_tokens_per_s = 0, total_tokens_per_s = 0;
  double goodput = 0;  // share of completed requests meeting the SLOs (NaN without SLOs)
  double utilization = 0;  // busy share of replica time = prefill + decode shares
  double prefill_share = 0, decode_share = 0, idle_share = 0;  // of replica time; they sum to 1
  double waiting_mean = 0, waiting_peak = 0;  // queue length (requests not yet holding KV), time average and peak
  // Overload: offered arrivals per second against what the deployment sustains for this traffic's lengths
  // (prefill as measured, decode at the largest batch that KV memory and max_batch allow). NaN for a closed
  // loop or fewer than two arrival instants.
  double offered_rps = 0, sustainable_rps = 0, load_ratio = 0;
  std::string overload_warning;  // empty unless load_ratio > 1
  double kv_occupancy_peak = 0, kv_occupancy_mean = 0;
  long long preemptions = 0;
  double prefix_hit_ratio = 0;  // cached input tokens / input tokens
  double kv_handover_mean_s = 0;
  double mean_in_system = 0;    // time average of requests in the system
  double littles_law_product = 0;  // completion rate x mean end-to-end latency
  double usd_per_mtok = 0;
  double usd_spent = 0;
};

// Per-request latencies of the completed requests, in completion order (for percentiles and CDFs).
struct LatencySamples {
  std::vector<double> ttft, tpot, e2e, handover;
};

// How the run was simulated, not what it simulated (no table or file writes these: a step-by-step run and a
// skipping one differ here and nowhere else).
struct SimDiagnostics {
  long long events = 0;         // events handled (stale ones of cut stretches not counted)
  long long steps = 0;          // iterations started as events
  long long skipped_steps = 0;  // decode steps applied inside stretches, without an event of their own
  long long stretches = 0, stretches_cut = 0;  // stretches planned; those something cut short
};

struct SimResult {
  std::vector<SimRequest> requests;  // by id; empty when a RequestSink took them
  LatencySamples latencies;
  std::vector<TimeSample> series;
  SimSummary summary;
  std::string deployment;  // "2 x cs-3 (PP 2)", ...
  SimDiagnostics diagnostics;
};

// Receives each request once it is done (completed or rejected), in that order, so that outputs can be
// written while the simulation runs and memory follows the requests in flight.
using RequestSink = std::function<void(const SimRequest&)>;

// Simulates `traffic` on the pool (co-located), or on a prefill pool plus a decode pool when `prefill` is
// given. Every iteration's time comes from the perf engine's StepTimer for that exact batch (decoding
// requests at their mean context plus each prefill chunk after its cached past). Deterministic: no clock, no
// hidden randomness. `progress(done, total)` is called now and then. Without a sink, result.requests holds
// every request, by id.
SimResult simulate(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool,
                   const std::optional<PoolSpec>& prefill, const SimConfig& config, Traffic traffic,
                   const std::function<void(long long, long long)>& progress = {}, const RequestSink& sink = {});

// Synthetic open-loop traffic: Poisson (shape 1) or gamma inter-arrivals at `rate_per_s` for `duration_s`,
// lengths drawn from the workload's distributions. `seed` makes it reproducible.
std::vector<SimRequest> synthetic_traffic(const Workload& workload, double rate_per_s, double duration_s,
                                          double gamma_shape, unsigned long long seed);
// A trace's requests, with arrivals scaled by 1/rate_scale (2 = twice as fast).
std::vector<SimRequest> trace_traffic(const std::string& path, double rate_scale);
// The same, streamed: read once for the count and mean lengths, then again request by request.
Traffic trace_stream(const std::string& path, double rate_scale);
// synthetic_traffic, streamed (drawn twice: once for the count and mean lengths, once as the run pulls).
Traffic synthetic_stream(const Workload& workload, double rate_per_s, double duration_s, double gamma_shape,
                         unsigned long long seed);

}  // namespace ws
