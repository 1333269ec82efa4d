#pragma once
#include <string>
#include <vector>

#include "perf/engine.h"
#include "workload/workload.h"

namespace ws {

// Prefill on one hardware, decode on another: each request's KV is built by the prefill pool and sent to the
// decode pool over the network (switch hops at a fixed latency each, bytes over the slower side's off-chip
// bandwidth). Decode runs without prefill stalls; the decode pool's off-chip links carry every request's KV
// in, which caps its request rate (150 GB/s per wafer). Pools are sized so their request rates balance.
// Speeds only: econ/disaggregation_cost.h prices the rows, report/tables.h lays them out and words the 5x note.
struct DisaggRequest {
  Workload workload;
  PerfRequest prefill;        // parallelism on the prefill hardware (precisions shared)
  PerfRequest decode;         // concurrency and parallelism on the decode hardware
  double switch_hops = 2;
  double switch_hop_latency_s = 5e-6;  // SA: ~5 us per switch hop
};

struct DisaggResult {
  std::string label;  // "disaggregated", "co-located on X"
  std::string prefill_hardware, decode_hardware;
  double isl = 0, osl = 0, concurrency = 0;
  double prefill_devices = 0, decode_devices = 0;  // per balanced unit (prefill fractional)
  double ttft_s = 0, tpot_s = 0, tokens_per_s_per_user = 0;
  double requests_per_s = 0;        // per balanced unit
  double output_tokens_per_s = 0;   // per balanced unit
  double kv_transfer_s = 0;
  double kv_link_utilization = 0;   // decode side, at the balanced rate
  bool link_capped = false;         // the decode pool's KV intake, not its decode speed, sets the rate
  // Systems of each hardware this row keeps busy (what econ/ prices): the disaggregated row holds the decode
  // deployment's systems and the balanced prefill devices' (fractional) share; a co-located row one hardware's.
  double prefill_hardware_systems = 0, decode_hardware_systems = 0;
  bool fits = true;                 // false: a co-located row that does not fit (bound says why)
  double prefill_share_of_colocated_time = 0;  // co-located rows: the share of decode time lost to prefill
  std::string bound;
};

// A disaggregated deployment of fixed pools on one hardware, as benchmarked (InferenceX's Dynamo runs):
// `decode_gpus` GPUs in replicas of the decode request's TP, `prefill_gpus` GPUs in workers of the fewest devices
// that hold the model, `decode.concurrency` closed-loop clients spread over the decode replicas, at most
// `decode_slots` of them decoding at once (the workers' batch limits; 0: none), the others waiting for a slot.
// Requests flow at the slower of the decode pool's closed-loop rate and the prefill workers' rate.
struct FixedPoolsResult {
  double tokens_per_s_per_user = 0;
  double output_tokens_per_s_per_device = 0;         // over prefill and decode GPUs together (what a GPU costs)
  // Over the decode GPUs alone: InferenceX's `output_tput_per_gpu` for a disaggregated run (its
  // utils/process_result.py divides output throughput by the decode GPUs, input throughput by the prefill GPUs and
  // only the total by both, since 2025-12), so validate compares the measured column with this one.
  double output_tokens_per_s_per_decode_device = 0;
  double ttft_s = 0;
  bool prefill_bound = false;
  double decoding_sequences = 0;  // clients decoding at once (the rest wait for prefill or a decode slot)
};
FixedPoolsResult predict_fixed_pools(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware,
                                     const PerfRequest& decode, int decode_gpus, int prefill_gpus,
                                     double decode_slots = 0);

// The disaggregated twin of a co-located deployment, as the measured frontiers add it (InferenceX's Dynamo runs):
// the same decode replica without prefill stalls, fed by the fewest whole prefill workers (each `prefill_worker`'s
// devices, one prompt at a time) that keep up with its closed-loop request rate, each request paying `handover_s`
// (kv_handover_s) between the two.
// A prefill worker as both pool models run it: the request's model and precisions, one prompt at a time, on the
// fewest devices that hold the model (no TP/PP/EP/DP-attention or speculation of the decode side's).
PerfRequest prefill_worker_request(PerfRequest request);

// A request's KV copy from its prefill worker to its decode replica, part of its TTFT in both pool models: its
// prompt's KV over the off-chip links of the smaller side (`decode_result`'s or `prefill_worker`'s devices, each on
// its own NIC). Dynamo's routing and admission are not timed: the runs do not pin them (calibration.toml).
double kv_handover_s(const ModelSpec& model, const Hardware& hardware, const PerfRequest& decode,
                     const PerfResult& decode_result, const PerfResult& prefill_worker);

struct BalancedPools {
  double tokens_per_s_per_user = 0;
  double output_tokens_per_s = 0;  // the decode replica's, fed in full
  double ttft_s = 0;
  int prefill_devices = 0;
};
BalancedPools balance_prefill_pool(const PerfResult& colocated, const PerfResult& prefill_worker, double handover_s);

// Disaggregated, then co-located on the prefill hardware and on the decode hardware (same concurrency).
std::vector<DisaggResult> compare_disaggregation(const PerfEngine& engine, const ModelSpec& model,
                                                 const Hardware& prefill_hardware, const Hardware& decode_hardware,
                                                 const DisaggRequest& request);

}  // namespace ws
