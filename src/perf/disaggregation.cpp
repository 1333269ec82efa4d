#include "perf/disaggregation.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.h"

namespace ws {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double off_chip_bytes_per_s(const Hardware& h) {
  return h.chip.scale_out_bytes_per_s.value_or(h.chip.scale_up_bytes_per_s.value_or(50e9));
}

}  // namespace

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
  x.usd_per_hour = rd.systems * request.decode_price.usd_per_hour +
                   x.prefill_devices / prefill_hw.system.chip_count * request.prefill_price.usd_per_hour;
  x.usd_per_mtok = x.usd_per_hour / 3600.0 / (x.requests_per_s * (isl + osl)) * 1e6;
  x.bound = x.link_capped ? "decode KV intake (off-chip I/O)" : "decode " + rd.bound;
  rows.push_back(x);

  // Co-located on each hardware at the same concurrency.
  for (const auto& [hw, price] : {std::pair{&prefill_hw, request.prefill_price}, {&decode_hw, request.decode_price}}) {
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
      c.usd_per_hour = r.systems * price.usd_per_hour;
      c.usd_per_mtok = c.usd_per_hour / 3600.0 / (c.requests_per_s * (isl + osl)) * 1e6;
      c.prefill_share_of_colocated_time = r.prefill_stall_per_token_s / r.tpot_s;
      c.bound = r.bound;
    } catch (const InfeasibleError& e) {
      c.ttft_s = c.tpot_s = c.tokens_per_s_per_user = c.output_tokens_per_s = c.usd_per_mtok = nan;
      c.bound = std::string("does not fit: ") + e.what();
    }
    rows.push_back(c);
  }
  return rows;
}

Table disaggregation_table(const std::vector<DisaggResult>& results) {
  Table t;
  t.title = "Disaggregated prefill/decode vs co-located serving";
  auto col = [](std::string key, std::string header, double scale, int precision) {
    return Column{std::move(key), std::move(header), scale, precision, false};
  };
  t.columns = {Column{"setup", "setup"}, Column{"prefill_hardware", "prefill on"}, Column{"decode_hardware", "decode on"},
               col("isl", "ISL", 1, 0), col("osl", "OSL", 1, 0), col("concurrency", "concurrency", 1, 0),
               col("prefill_devices", "prefill devices", 1, 2), col("decode_devices", "decode devices", 1, 0),
               col("ttft_s", "TTFT ms", 1e-3, 1), col("tpot_s", "TPOT ms", 1e-3, 3),
               col("tokens_per_s_per_user", "tok/s/user", 1, 1), col("output_tokens_per_s", "output tok/s", 1, 0),
               col("kv_transfer_s", "KV handover ms", 1e-3, 2), col("kv_link_utilization", "decode link use", 1, 2),
               col("usd_per_hour", "USD/h", 1, 2), col("usd_per_mtok", "USD/Mtok (all tokens)", 1, 4),
               col("prefill_share_of_colocated_time", "decode time lost to prefill", 1, 2), Column{"bound", "bound"}};
  for (const auto& r : results)
    t.rows.push_back({r.label, r.prefill_hardware, r.decode_hardware, r.isl, r.osl, r.concurrency, r.prefill_devices,
                      r.decode_devices, r.ttft_s, r.tpot_s, r.tokens_per_s_per_user, r.output_tokens_per_s,
                      r.label == "disaggregated" ? Cell{r.kv_transfer_s} : Cell{},
                      r.label == "disaggregated" ? Cell{r.kv_link_utilization} : Cell{}, r.usd_per_hour, r.usd_per_mtok,
                      r.label == "disaggregated" ? Cell{} : Cell{r.prefill_share_of_colocated_time}, r.bound});
  t.notes = {"One balanced unit: the decode deployment plus the (fractional) prefill devices that keep up with it. "
             "KV handover: switch hops x 5 us + the prompt's KV over the slower side's off-chip links."};
  return t;
}

std::string five_x_note(const std::vector<DisaggResult>& rows) {
  if (rows.size() < 3) return "";
  const DisaggResult& disagg = rows[0];
  const DisaggResult& decode_colocated = rows[2];
  std::string note;
  if (std::isfinite(decode_colocated.output_tokens_per_s) && decode_colocated.output_tokens_per_s > 0) {
    const double gain = disagg.output_tokens_per_s / decode_colocated.output_tokens_per_s;
    note += fmt::format("Disaggregation gives {:.2f}x the output throughput of co-located serving on {} ({:.0f}% of "
                        "its decode time went to prefill). ",
                        gain, decode_colocated.decode_hardware, 100 * decode_colocated.prefill_share_of_colocated_time);
    note += "Taking prefill off the decode devices can at most remove that share, so the source's 5x needs "
            "prefill to take 80% or more of co-located decode time (long prompts, short outputs, little prefix "
            "caching) and the decode pool's KV intake to keep up";
    note += disagg.link_capped ? fmt::format(": here it does not (the decode links run at {:.0f}% and cap the rate).",
                                             100 * disagg.kv_link_utilization)
                               : fmt::format(" (here its links run at {:.0f}%).", 100 * disagg.kv_link_utilization);
  }
  return note;
}

}  // namespace ws
