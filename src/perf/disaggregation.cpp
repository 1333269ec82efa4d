#include "perf/disaggregation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace ws {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The KV copy leaves each device over its scale-out NIC (or, where the chip has none, its scale-up links).
double off_chip_bytes_per_s(const Hardware& h) { return h.chip.link_bytes_per_s(true); }

// Decode without prefill stalls (prefill runs elsewhere).
double stall_free_tpot_s(const PerfResult& decode) { return decode.tpot_s - decode.prefill_stall_per_token_s; }

// The closed loop's request rate when each of `clients` first waits `ttft_s` for its prefill on a worker and the
// hand-over, then decodes without stalls.
double stall_free_request_rate(const PerfResult& decode, double clients, double ttft_s) {
  return clients / (ttft_s + (decode.osl - 1) * stall_free_tpot_s(decode));
}

}  // namespace

double kv_handover_s(const ModelSpec& model, const Hardware& hardware, const PerfRequest& decode,
                     const PerfResult& decode_result, const PerfResult& prefill_worker) {
  const double kv_bytes = kv_bytes_for_context(model, decode.kv, decode.isl, decode.honor_windows);
  const double link_bytes_per_s =
      off_chip_bytes_per_s(hardware) * std::min(decode_result.devices, prefill_worker.devices);
  return kv_bytes / link_bytes_per_s;
}

PerfRequest prefill_worker_request(PerfRequest r) {
  r.tp.reset();
  r.ep.reset();
  r.pp.reset();
  r.devices.reset();
  r.attention_dp = false;
  r.spec = SpecDecode{};
  r.osl = 1;
  r.concurrency = 1;
  r.record_terms = false;
  r.queue_beyond_memory = false;
  return r;
}

FixedPoolsResult predict_fixed_pools(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware,
                                     const PerfRequest& decode, int decode_gpus, int prefill_gpus, double decode_slots) {
  const int decode_tp = decode.tp.value_or(1);
  if (decode_gpus < decode_tp || prefill_gpus < 1)
    throw InputError("decode_gpus", "needs at least one decode replica and one prefill GPU");
  if (decode_slots < 0) throw InputError("decode_slots", "must be >= 0 (0: no batch limit)");
  const double replicas = std::floor(static_cast<double>(decode_gpus) / decode_tp);
  const double decoding = decode_slots > 0 ? std::min(decode.concurrency, decode_slots) : decode.concurrency;
  PerfRequest d = decode;
  d.concurrency = std::max(1.0, decoding / replicas);
  d.record_terms = false;
  const PerfResult rd = engine.run(model, hardware, d);
  const PerfResult rp = engine.run(model, hardware, prefill_worker_request(decode));
  const double workers = std::max(1.0, std::floor(static_cast<double>(prefill_gpus) / rp.devices));
  const double tpot = stall_free_tpot_s(rd);
  const double first_token_s = rp.ttft_s + kv_handover_s(model, hardware, d, rd, rp);
  const double decode_rate = stall_free_request_rate(rd, decoding, first_token_s);
  const double prefill_rate = workers / rp.prefill_s;
  FixedPoolsResult r;
  r.prefill_bound = prefill_rate < decode_rate;
  const double rate = std::min(decode_rate, prefill_rate);
  r.tokens_per_s_per_user = 1.0 / tpot;
  r.output_tokens_per_s_per_device = rate * decode.osl / (decode_gpus + prefill_gpus);
  r.output_tokens_per_s_per_decode_device = rate * decode.osl / decode_gpus;
  r.decoding_sequences = decoding;
  // Closed loop: each client comes back every concurrency / rate seconds, decoding (osl - 1) x TPOT of it; the rest,
  // its first token, holds its prefill, the hand-over and any wait for a prefill worker or a decode slot.
  r.ttft_s = std::max(first_token_s, decode.concurrency / rate - (decode.osl - 1) * tpot);
  return r;
}

BalancedPools balance_prefill_pool(const PerfResult& colocated, const PerfResult& prefill_worker, double handover_s) {
  const double tpot = stall_free_tpot_s(colocated);
  const double first_token_s = prefill_worker.ttft_s + handover_s;
  const double request_rate = stall_free_request_rate(colocated, colocated.running_sequences, first_token_s);
  BalancedPools b;
  const double workers = std::max(1.0, std::ceil(request_rate * prefill_worker.prefill_s - 1e-9));
  b.prefill_devices = static_cast<int>(workers) * prefill_worker.devices;
  b.tokens_per_s_per_user = 1.0 / tpot;
  b.output_tokens_per_s = request_rate * colocated.osl;
  b.ttft_s = first_token_s;
  return b;
}

std::vector<DisaggResult> compare_disaggregation(const PerfEngine& engine, const ModelSpec& model,
                                                 const Hardware& prefill_hw, const Hardware& decode_hw,
                                                 const DisaggRequest& request) {
  const Workload& w = request.workload;
  const double isl = w.mean_input_tokens(), osl = w.mean_output_tokens();
  const double cached = std::min(isl * w.cached_fraction_of_input(), isl - 1);
  std::vector<DisaggResult> rows;

  // Disaggregated.
  PerfRequest p = request.prefill;
  p.isl = isl;
  p.osl = 1;
  p.concurrency = 1;
  p.prefix_cached_tokens = cached;
  p.record_terms = false;
  PerfRequest d = request.decode;
  d.isl = isl;
  d.osl = osl;
  d.prefix_cached_tokens = cached;
  d.record_terms = false;
  const PerfResult rp = engine.run(model, prefill_hw, p);
  const PerfResult rd = engine.run(model, decode_hw, d);
  DisaggResult x;
  x.label = "disaggregated";
  x.prefill_hardware = prefill_hw.system.name;
  x.decode_hardware = decode_hw.system.name;
  x.isl = isl;
  x.osl = osl;
  x.concurrency = d.concurrency;
  const double kv_bytes = kv_bytes_for_context(model, d.kv, isl, d.honor_windows);
  const double decode_link = off_chip_bytes_per_s(decode_hw) * rd.devices;
  const double prefill_link = off_chip_bytes_per_s(prefill_hw) * rp.devices;
  x.kv_transfer_s = request.switch_hops * request.switch_hop_latency_s + kv_bytes / std::min(decode_link, prefill_link);
  const double tpot_decode = rd.tpot_s - rd.prefill_stall_per_token_s;
  const double rate_compute = d.concurrency / (osl * tpot_decode + x.kv_transfer_s);
  const double rate_link = decode_link / kv_bytes;
  x.requests_per_s = std::min(rate_compute, rate_link);
  x.link_capped = rate_link < rate_compute;
  x.kv_link_utilization = x.requests_per_s * kv_bytes / decode_link;
  x.decode_devices = rd.devices;
  x.prefill_devices = x.requests_per_s * rp.prefill_s * rp.devices;  // balanced: prefill keeps up
  x.ttft_s = rp.prefill_s + x.kv_transfer_s;
  x.tpot_s = tpot_decode;
  x.tokens_per_s_per_user = 1.0 / tpot_decode;
  x.output_tokens_per_s = x.requests_per_s * osl;
  x.decode_hardware_systems = rd.systems;
  x.prefill_hardware_systems = x.prefill_devices / prefill_hw.system.chip_count;
  x.bound = x.link_capped ? "decode KV intake (off-chip I/O)" : "decode " + rd.bound;
  rows.push_back(x);

  // Co-located on each hardware at the same concurrency.
  for (const bool decode_side : {false, true}) {
    const Hardware* hw = decode_side ? &decode_hw : &prefill_hw;
    DisaggResult c;
    c.label = "co-located on " + hw->system.name;
    c.prefill_hardware = c.decode_hardware = hw->system.name;
    c.isl = isl;
    c.osl = osl;
    c.concurrency = d.concurrency;
    PerfRequest q = (hw == &decode_hw) ? d : request.prefill;
    q.isl = isl;
    q.osl = osl;
    q.concurrency = d.concurrency;
    q.prefix_cached_tokens = cached;
    q.record_terms = false;
    try {
      const PerfResult r = engine.run(model, *hw, q);
      c.decode_devices = r.devices;
      c.ttft_s = r.ttft_s;
      c.tpot_s = r.tpot_s;
      c.tokens_per_s_per_user = r.tokens_per_s_per_user;
      c.output_tokens_per_s = r.output_tokens_per_s;
      c.requests_per_s = r.output_tokens_per_s / osl;
      (decode_side ? c.decode_hardware_systems : c.prefill_hardware_systems) = r.systems;
      c.prefill_share_of_colocated_time = r.prefill_stall_per_token_s / r.tpot_s;
      c.bound = r.bound;
    } catch (const InfeasibleError& e) {
      c.fits = false;
      c.ttft_s = c.tpot_s = c.tokens_per_s_per_user = c.output_tokens_per_s = nan;
      c.bound = std::string("does not fit: ") + e.what();
    }
    rows.push_back(c);
  }
  return rows;
}

}  // namespace ws
