// Tables (and the prose that goes with them) for the results of perf/, econ/, frontier/, sim/ and placement/:
// the stages compute numbers, this file lays them out.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "report/tables.h"

namespace ws {

Table kv_offload_table(const KvOffload& o, double new_tokens_prefill_s, double returning_ttft_s) {
  Table t;
  t.title = "KV offload to the host tier";
  t.columns = {Column{"model", "model"}, Column{"hardware", "hardware"}, Column{"systems", "systems", 1, 0},
               Column{"context_tokens", "context", 1, 0}, Column{"kv_bytes_per_session", "KV GB/session", 1e9, 2},
               Column{"device_sessions", "sessions on device", 1, 0}, Column{"host_sessions", "sessions in host tier", 1, 0},
               Column{"session_multiplier", "x sessions", 1, 1}, Column{"reload_seconds", "KV reload ms", 1e-3, 1},
               Column{"new_tokens_prefill_s", "new-token prefill ms", 1e-3, 1},
               Column{"returning_ttft_s", "returning TTFT ms", 1e-3, 1}};
  t.rows.push_back({o.model, o.hardware, o.systems, o.context_tokens, o.kv_bytes_per_session, o.device_sessions,
                    o.host_sessions, o.session_multiplier, o.reload_seconds, new_tokens_prefill_s, returning_ttft_s});
  t.notes = {"A returning session's TTFT = its KV back over the host links + prefill of its new tokens + one decode step."};
  return t;
}

Table validation_table(const std::vector<ValidationRow>& rows) {
  Table t;
  t.title = "Predicted vs measured";
  t.columns = {Column{"device_class", "class"}, Column{"label", "operating point"}, Column{"metric", "metric"},
               Column{"used_for_fit", "fitted"}, Column{"measured", "measured", 1, 1},
               Column{"predicted", "predicted", 1, 1}, Column{"error", "error", 0.01, 1}};
  for (const auto& r : rows)
    t.rows.push_back({r.device_class, r.label, r.metric, std::string(r.used_for_fit ? "yes" : "no"), r.measured,
                      r.predicted, r.error()});
  t.notes = {"error = predicted / measured - 1 (percent in human formats)."};
  return t;
}

Table validation_summary_table(const std::vector<ErrorSummary>& summary) {
  Table t;
  t.title = "Prediction error by device class";
  t.columns = {Column{"device_class", "class"}, Column{"metric", "metric"}, Column{"subset", "rows used"},
               Column{"rows", "rows", 1, 0, true}, Column{"median_abs_error", "median abs error %", 0.01, 1},
               Column{"worst_abs_error", "worst abs error %", 0.01, 1}};
  for (const auto& s : summary)
    t.rows.push_back({s.device_class, s.metric, s.subset, double(s.rows), s.median_abs_error, s.worst_abs_error});
  return t;
}

Table group_error_table(const std::vector<GroupError>& errors) {
  Table t;
  t.title = "Prediction error by group (leave-one-group-out)";
  t.columns = {Column{"device_class", "class"}, Column{"group", "group"}, Column{"metric", "metric"},
               Column{"n", "n", 1, 0, true}, Column{"fit_median_ape", "fit median APE %", 0.01, 1},
               Column{"cv_median_ape", "CV median APE %", 0.01, 1}, Column{"signed_median", "CV signed median %", 0.01, 1},
               Column{"worst_ape", "CV worst APE %", 0.01, 1}};
  for (const auto& e : errors)
    t.rows.push_back({e.device_class, e.group, e.metric, double(e.n), e.fit_median_ape, e.cv_median_ape,
                      e.signed_median, e.worst_ape});
  t.notes = {"A group is model x hardware x serving stack. fit: the catalog's constants, fitted on every group (they "
             "flatter the model); CV: refitted without the group, then predicting it (how wrong a configuration the fit "
             "never saw is likely to be). APE = |predicted / measured - 1|; signed median > 0 over-predicts. CV columns "
             "come from catalog/cross_validation.csv (`waferscope calibrate --write`); '-' where it has none. Held-back "
             "groups (fit '-') were never fitted on: their CV columns are their plain errors."};
  return t;
}

Table cost_table(const std::vector<CostResult>& results) {
  Table t;
  t.title = "Cost per million tokens";
  auto col = [](std::string key, std::string header, double scale, int precision) {
    return Column{std::move(key), std::move(header), scale, precision, false};
  };
  t.columns = {Column{"model", "model"}, Column{"hardware", "hardware"}, Column{"workload", "workload"},
               Column{"rule", "rule"}, Column{"price", "price"}, col("usd_per_hour", "USD/h per system", 1, 2),
               col("systems", "systems", 1, 2), col("concurrency", "concurrency", 1, 0), col("isl", "ISL", 1, 0),
               col("osl", "OSL", 1, 0), Column{"cache_tier", "cache tier"},
               col("tokens_per_s_per_user", "tok/s/user", 1, 1), col("tokens_per_s", "tok/s (all types)", 1, 0),
               col("usd_per_mtok_cache_read", "cache read USD/Mtok", 1, 4),
               col("usd_per_mtok_cache_write", "cache write USD/Mtok", 1, 4),
               col("usd_per_mtok_fresh_input", "fresh input USD/Mtok", 1, 4),
               col("usd_per_mtok_input", "input USD/Mtok", 1, 4), col("usd_per_mtok_output", "output USD/Mtok", 1, 4),
               col("usd_per_mtok", "blended USD/Mtok", 1, 4), col("revenue_usd_per_mtok", "revenue USD/Mtok", 1, 4),
               col("gross_margin", "gross margin", 1, 3), Column{"bound", "bound"}};
  for (const auto& c : results)
    t.rows.push_back({c.model, c.hardware, c.workload, c.rule, c.price_label, c.usd_per_hour, c.systems, c.concurrency,
                      c.isl, c.osl, c.cache_tier, c.tokens_per_s_per_user, c.tokens_per_s, c.cache_read.usd_per_mtok,
                      c.cache_write.usd_per_mtok, c.fresh_input.usd_per_mtok, c.usd_per_mtok_input,
                      c.output.usd_per_mtok, c.usd_per_mtok, c.revenue_usd_per_mtok, c.gross_margin, c.bound});
  t.notes = {"blended = all deployment-seconds of an average request x USD/s / its tokens; gross margin against the "
             "price list's blended revenue for the workload's mix."};
  return t;
}

Table frontier_table(const std::vector<FrontierPoint>& points, Normalizer normalize, bool pareto_only) {
  const std::string norm = to_string(normalize);
  Table t;
  t.title = "Throughput vs interactivity (" + normalizer_unit(normalize) + ")";
  t.columns = {Column{"model", "model"}, Column{"hardware", "hardware"}, Column{"devices", "devices", 1, 0, true},
               Column{"prefill_devices", "of them prefill", 1, 0, true}, Column{"tp", "TP", 1, 0, true}, Column{"pp", "PP", 1, 0, true}, Column{"ep", "EP", 1, 0, true},
               Column{"attention_dp", "DP attention"}, Column{"spec_draft_tokens", "MTP drafted", 1, 0, true},
               Column{"concurrency", "concurrency", 1, 0, true},
               Column{"tokens_per_s_per_user", "tok/s/user", 1, 1},
               Column{"output_tokens_per_s_per_" + norm, "output " + normalizer_unit(normalize), 1, 2},
               Column{"total_tokens_per_s_per_" + norm, "total " + normalizer_unit(normalize), 1, 2},
               Column{"output_tokens_per_s", "output tok/s", 1, 0}, Column{"ttft_s", "TTFT ms", 1e-3, 1},
               Column{"bound", "bound"}, Column{"pareto", "pareto"}};
  for (const auto& p : points) {
    if (pareto_only && !p.pareto) continue;
    t.rows.push_back({p.model, p.hardware, double(p.devices), double(p.prefill_devices), double(p.tp), double(p.pp), double(p.ep),
                      std::string(p.attention_dp ? "yes" : "no"), double(p.spec_draft_tokens), p.concurrency,
                      p.tokens_per_s_per_user, p.output_tokens_per_s_per_norm, p.total_tokens_per_s_per_norm,
                      p.output_tokens_per_s, p.ttft_s, p.bound, std::string(p.pareto ? "yes" : "no")});
  }
  return t;
}

Table sim_summary_table(const SimResult& result) {
  const SimSummary& s = result.summary;
  Table t;
  t.title = "Simulation: " + result.deployment;
  auto col = [](std::string key, std::string header, double scale, int precision) {
    return Column{std::move(key), std::move(header), scale, precision, false};
  };
  t.columns = {col("requests", "requests", 1, 0), col("completed", "completed", 1, 0), col("rejected", "rejected", 1, 0),
               col("duration_s", "duration s", 1, 1), col("ttft_p50_s", "TTFT p50 ms", 1e-3, 1),
               col("ttft_p90_s", "TTFT p90 ms", 1e-3, 1), col("ttft_p99_s", "TTFT p99 ms", 1e-3, 1),
               col("tpot_p50_s", "TPOT p50 ms", 1e-3, 2), col("tpot_p90_s", "TPOT p90 ms", 1e-3, 2),
               col("tpot_p99_s", "TPOT p99 ms", 1e-3, 2), col("e2e_p50_s", "E2E p50 s", 1, 2),
               col("e2e_p90_s", "E2E p90 s", 1, 2), col("e2e_p99_s", "E2E p99 s", 1, 2),
               col("output_tokens_per_s", "output tok/s", 1, 0), col("total_tokens_per_s", "total tok/s", 1, 0),
               col("goodput", "goodput", 1, 3), col("utilization", "utilization", 1, 3),
               col("prefill_share", "prefill share", 1, 3), col("decode_share", "decode share", 1, 3),
               col("idle_share", "idle share", 1, 3), col("waiting_mean", "queue mean", 1, 2),
               col("waiting_peak", "queue peak", 1, 0), col("offered_rps", "offered req/s", 1, 3),
               col("sustainable_rps", "sustainable req/s", 1, 3), col("load_ratio", "offered/sustainable", 1, 3),
               col("kv_occupancy_peak", "KV peak", 1, 3), col("kv_occupancy_mean", "KV mean", 1, 3),
               col("preemptions", "preemptions", 1, 0), col("prefix_hit_ratio", "prefix hit ratio", 1, 3),
               col("kv_handover_mean_s", "KV handover mean ms", 1e-3, 2), col("mean_in_system", "mean in system", 1, 2),
               col("littles_law_product", "throughput x latency", 1, 2), col("usd_per_mtok", "USD/Mtok", 1, 4)};
  t.rows.push_back({double(s.requests), double(s.completed), double(s.rejected), s.duration_s, s.ttft_p50, s.ttft_p90,
                    s.ttft_p99, s.tpot_p50, s.tpot_p90, s.tpot_p99, s.e2e_p50, s.e2e_p90, s.e2e_p99,
                    s.output_tokens_per_s, s.total_tokens_per_s, s.goodput, s.utilization, s.prefill_share,
                    s.decode_share, s.idle_share, s.waiting_mean, s.waiting_peak, s.offered_rps, s.sustainable_rps,
                    s.load_ratio, s.kv_occupancy_peak,
                    s.kv_occupancy_mean, double(s.preemptions), s.prefix_hit_ratio, s.kv_handover_mean_s,
                    s.mean_in_system, s.littles_law_product, s.usd_per_mtok});
  if (!s.overload_warning.empty()) t.notes.push_back("warning: " + s.overload_warning);
  return t;
}

Table sim_requests_table(const SimResult& result) { return sim_requests_table(result.requests); }

Table sim_requests_table(const std::vector<SimRequest>& requests) {
  Table t;
  t.title = "Requests";
  t.columns = {Column{"id", "id", 1, 0, true}, Column{"arrival_s", "arrival s", 1, 6},
               Column{"input_tokens", "input", 1, 0, true}, Column{"output_tokens", "output", 1, 0, true},
               Column{"cached_tokens", "cached", 1, 0, true}, Column{"replica", "replica", 1, 0, true},
               Column{"ttft_s", "TTFT s", 1, 6}, Column{"tpot_s", "TPOT s", 1, 6}, Column{"e2e_s", "E2E s", 1, 6},
               Column{"kv_handover_s", "handover s", 1, 6}, Column{"cache_load_s", "cache load s", 1, 6},
               Column{"preemptions", "preemptions", 1, 0, true}, Column{"status", "status"}};
  for (const auto& r : requests) {
    const bool ok = !r.rejected;
    t.rows.push_back({double(r.id), r.arrival_s, r.input_tokens, r.output_tokens, r.cached_tokens, double(r.replica),
                      ok ? Cell{r.first_token_s - r.arrival_s + r.kv_handover_s} : Cell{},
                      ok && r.output_tokens > 1 ? Cell{(r.finish_s - r.first_token_s - r.kv_handover_s) / (r.output_tokens - 1)} : Cell{},
                      ok ? Cell{r.finish_s - r.arrival_s} : Cell{}, r.kv_handover_s, r.cache_load_s,
                      double(r.preemptions), ok ? std::string("completed") : "rejected: " + r.reject_reason});
  }
  return t;
}

Table sim_series_table(const SimResult& result) {
  Table t;
  t.title = "Time series";
  t.columns = {Column{"time_s", "time s", 1, 3}, Column{"waiting", "waiting", 1, 0, true},
               Column{"running", "running", 1, 0, true}, Column{"in_system", "in system", 1, 0, true},
               Column{"kv_occupancy", "KV occupancy", 1, 4}, Column{"prefill_share", "prefill share", 1, 4},
               Column{"decode_share", "decode share", 1, 4}, Column{"idle_share", "idle share", 1, 4}};
  for (const auto& s : result.series)
    t.rows.push_back({s.time_s, s.waiting, s.running, s.in_system, s.kv_occupancy, s.prefill_share, s.decode_share,
                      s.idle_share});
  return t;
}

Table disaggregation_table(const std::vector<PricedDisaggRow>& results) {
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
  for (const auto& [r, cost] : results)
    t.rows.push_back({r.label, r.prefill_hardware, r.decode_hardware, r.isl, r.osl, r.concurrency, r.prefill_devices,
                      r.decode_devices, r.ttft_s, r.tpot_s, r.tokens_per_s_per_user, r.output_tokens_per_s,
                      r.label == "disaggregated" ? Cell{r.kv_transfer_s} : Cell{},
                      r.label == "disaggregated" ? Cell{r.kv_link_utilization} : Cell{}, cost.usd_per_hour, cost.usd_per_mtok,
                      r.label == "disaggregated" ? Cell{} : Cell{r.prefill_share_of_colocated_time}, r.bound});
  t.notes = {"One balanced unit: the decode deployment plus the (fractional) prefill devices that keep up with it. "
             "KV handover: switch hops x 5 us + the prompt's KV over the slower side's off-chip links."};
  return t;
}

std::string five_x_note(const std::vector<PricedDisaggRow>& rows) {
  if (rows.size() < 3) return "";
  const DisaggResult& disagg = rows[0].speeds;
  const DisaggResult& decode_colocated = rows[2].speeds;
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
