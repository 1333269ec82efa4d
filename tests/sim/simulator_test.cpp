#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "report/tables.h"  // the simulator's tables (byte-for-byte determinism checks)
#include "sim/scheduler.h"
#include "workload/trace.h"
#include "test_support.h"

namespace ws {
namespace {

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

PoolSpec pool_on(const std::string& hardware, const ModelSpec& model, int replicas = 1) {
  const auto& c = test::catalog();
  PoolSpec pool{c.hardware(hardware), PerfRequest{}, replicas, SystemPrice{"test", 10.0}};
  pool.perf.weights = weight_format(model, "checkpoint", c.precisions, "test");
  pool.perf.kv = c.precisions.get("bf16", "test");
  return pool;
}

Traffic closed_loop(int concurrency, long long requests, double isl, double osl) {
  Traffic t;
  t.closed_loop_concurrency = concurrency;
  t.closed_loop_requests = requests;
  t.make_request = [isl, osl](long long) {
    SimRequest r;
    r.input_tokens = isl;
    r.output_tokens = osl;
    return r;
  };
  return t;
}

// Steady state of a closed loop: the requests after the first round.
struct Steady {
  double throughput = 0, tpot = 0;
};
Steady steady_state(const SimResult& r, int concurrency) {
  double start = 1e30, end = 0, tokens = 0, tpot = 0;
  int n = 0;
  for (std::size_t i = concurrency; i < r.requests.size(); ++i) {
    const auto& q = r.requests[i];
    start = std::min(start, q.arrival_s);
    end = std::max(end, q.finish_s);
    tokens += q.output_tokens;
    tpot += (q.finish_s - q.first_token_s) / (q.output_tokens - 1);
    ++n;
  }
  return Steady{tokens / (end - start), tpot / n};
}

struct AgreementCase {
  std::string model, hardware;
  int concurrency;
};
void PrintTo(const AgreementCase& c, std::ostream* os) { *os << c.model << " on " << c.hardware << " at " << c.concurrency; }
class Agreement : public ::testing::TestWithParam<AgreementCase> {};

// The acceptance: in closed loop at concurrency C with fixed lengths, throughput and TPOT within 5% of
// `waferscope perf` for the same configuration, across device classes.
TEST_P(Agreement, ClosedLoopMatchesThePerfEngine) {
  const auto& p = GetParam();
  const ModelSpec m = test::catalog().model(p.model);
  const PoolSpec pool = pool_on(p.hardware, m);
  const SimResult sim = simulate(engine(), m, pool, std::nullopt, SimConfig{}, closed_loop(p.concurrency, 20 * p.concurrency + 200, 1024, 1024));
  PerfRequest q = pool.perf;
  q.concurrency = p.concurrency;
  q.isl = q.osl = 1024;
  const PerfResult perf = engine().run(m, pool.hardware, q);
  const Steady s = steady_state(sim, p.concurrency);
  EXPECT_NEAR(s.throughput, perf.output_tokens_per_s, 0.05 * perf.output_tokens_per_s);
  EXPECT_NEAR(s.tpot, perf.tpot_s, 0.05 * perf.tpot_s);
}

INSTANTIATE_TEST_SUITE_P(DeviceClasses, Agreement,
                         ::testing::Values(AgreementCase{"gpt-oss-120b", "cs-3", 8}, AgreementCase{"gpt-oss-120b", "cs-3", 32},
                                           AgreementCase{"llama-3.1-70b", "dgx-b300", 8},
                                           AgreementCase{"llama-3.1-70b", "dgx-h100", 32},
                                           AgreementCase{"llama-3.1-8b", "groq-lpx", 32}),
                         [](const auto& info) {
                           std::string name = info.param.hardware + "_" + std::to_string(info.param.concurrency);
                           for (auto& ch : name) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

struct TraceCase {
  std::string trace, model, hardware;
};
void PrintTo(const TraceCase& c, std::ostream* os) { *os << c.trace << " on " << c.hardware; }
class Traces : public ::testing::TestWithParam<TraceCase> {};

// Every trace runs on cs-3 (gpt-oss-120b) and on DGX H100 and DGX B300 (llama-3.1-70b); nothing is lost:
// every request completes or is reported rejected with its reason, token totals equal the trace's; Little's
// law holds.
TEST_P(Traces, RunConserveAndObeyLittlesLaw) {
  const auto& p = GetParam();
  const ModelSpec m = test::catalog().model(p.model);
  PoolSpec pool = pool_on(p.hardware, m, 2);
  Traffic t;
  t.requests = trace_traffic(test::catalog_path("traces/" + p.trace), 1.0);
  double input = 0, output = 0;
  for (const auto& r : read_trace(test::catalog_path("traces/" + p.trace))) {
    input += std::max(1.0, r.input_tokens);
    output += std::max(1.0, r.output_tokens);
  }
  const std::size_t n = t.requests.size();
  const SimResult sim = simulate(engine(), m, pool, std::nullopt, SimConfig{}, std::move(t));
  const SimSummary& s = sim.summary;
  EXPECT_EQ(s.requests, static_cast<long long>(n));
  EXPECT_EQ(s.completed + s.rejected, s.requests);
  double sim_input = 0, sim_output = 0;
  for (const auto& r : sim.requests) {
    sim_input += r.input_tokens;
    sim_output += r.output_tokens;
    if (r.rejected) {
      EXPECT_FALSE(r.reject_reason.empty());
    } else {
      EXPECT_GE(r.generated_tokens, r.output_tokens);
    }
  }
  EXPECT_DOUBLE_EQ(sim_input, input);
  EXPECT_DOUBLE_EQ(sim_output, output);
  EXPECT_NEAR(s.mean_in_system, s.littles_law_product, 0.02 * s.littles_law_product);
}

INSTANTIATE_TEST_SUITE_P(
    SharedTraces, Traces,
    ::testing::Values(TraceCase{"AzureLLMInferenceTrace_code.csv", "gpt-oss-120b", "cs-3"},
                      TraceCase{"AzureLLMInferenceTrace_conv.csv", "gpt-oss-120b", "cs-3"},
                      TraceCase{"mooncake_conversation_trace.jsonl", "gpt-oss-120b", "cs-3"},
                      TraceCase{"mooncake_synthetic_trace.jsonl", "gpt-oss-120b", "cs-3"},
                      TraceCase{"AzureLLMInferenceTrace_code.csv", "llama-3.1-70b", "dgx-h100"},
                      TraceCase{"AzureLLMInferenceTrace_conv.csv", "llama-3.1-70b", "dgx-h100"},
                      TraceCase{"mooncake_conversation_trace.jsonl", "llama-3.1-70b", "dgx-h100"},
                      TraceCase{"mooncake_synthetic_trace.jsonl", "llama-3.1-70b", "dgx-h100"},
                      TraceCase{"AzureLLMInferenceTrace_code.csv", "llama-3.1-70b", "dgx-b300"},
                      TraceCase{"AzureLLMInferenceTrace_conv.csv", "llama-3.1-70b", "dgx-b300"},
                      TraceCase{"mooncake_conversation_trace.jsonl", "llama-3.1-70b", "dgx-b300"},
                      TraceCase{"mooncake_synthetic_trace.jsonl", "llama-3.1-70b", "dgx-b300"}),
    [](const auto& info) {
      std::string name = info.param.trace.substr(0, info.param.trace.find('.')) + "_" + info.param.hardware;
      for (auto& ch : name) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

TEST(Simulator, SameSeedSameBytes) {
  const ModelSpec m = test::catalog().model("gpt-oss-120b");
  auto run = [&] {
    Traffic t;
    t.requests = synthetic_traffic(test::catalog().workload("azure-conv"), 20, 30, 0.5, 7);
    const SimResult r = simulate(engine(), m, pool_on("cs-3", m), std::nullopt, SimConfig{}, std::move(t));
    return render(sim_requests_table(r), Format::csv) + render(sim_series_table(r), Format::csv) +
           render(sim_summary_table(r), Format::csv);
  };
  EXPECT_EQ(run(), run());
  Traffic other;
  other.requests = synthetic_traffic(test::catalog().workload("azure-conv"), 20, 30, 0.5, 8);
  EXPECT_NE(other.requests.front().arrival_s, synthetic_traffic(test::catalog().workload("azure-conv"), 20, 30, 0.5, 7).front().arrival_s);
}

TEST(Simulator, PrefixCacheHitsAndLowersTtft) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  auto run = [&](bool cache) {
    Traffic t;
    t.requests = trace_traffic(test::catalog_path("traces/mooncake_conversation_trace.jsonl"), 0.3);
    SimConfig config;
    config.prefix_cache = cache;
    config.router = "prefix_affinity";
    PoolSpec pool = pool_on("dgx-b300", m, 2);
    pool.perf.tp = 8;
    return simulate(engine(), m, pool, std::nullopt, config, std::move(t)).summary;
  };
  const SimSummary with = run(true), without = run(false);
  EXPECT_GT(with.prefix_hit_ratio, 0.1);
  EXPECT_EQ(without.prefix_hit_ratio, 0);
  EXPECT_LT(with.ttft_mean, without.ttft_mean);
}

TEST(Simulator, DisaggregatedRunReportsTheHandover) {
  const ModelSpec m = test::catalog().model("gpt-oss-120b");
  Traffic t;
  t.requests = synthetic_traffic(test::catalog().workload("8k-1k"), 2, 20, 1, 3);
  const PoolSpec prefill = pool_on("dgx-b300", m);
  const SimResult r = simulate(engine(), m, pool_on("cs-3", m), prefill, SimConfig{}, std::move(t));
  EXPECT_GT(r.summary.completed, 0);
  EXPECT_GT(r.summary.kv_handover_mean_s, 5e-6);
  for (const auto& q : r.requests)
    if (!q.rejected) {
      EXPECT_GT(q.kv_handover_s, 0);
    }
  EXPECT_NE(render(sim_requests_table(r), Format::csv).find("kv_handover_s"), std::string::npos);
}

TEST(Simulator, KvPressurePreemptsAndStillFinishes) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  Traffic t;
  t.requests = synthetic_traffic(test::catalog().workload("1k-8k"), 4, 20, 1, 5);
  PoolSpec pool = pool_on("dgx-h100", m);
  pool.perf.tp = 4;  // 320 GB: little room for 8k-token sequences
  const SimResult r = simulate(engine(), m, pool, std::nullopt, SimConfig{}, std::move(t));
  EXPECT_GT(r.summary.preemptions, 0);
  EXPECT_EQ(r.summary.completed + r.summary.rejected, r.summary.requests);
  EXPECT_GT(r.summary.kv_occupancy_peak, 0.9);
}

TEST(Simulator, SchedulersAndRoutersByName) {
  EXPECT_EQ(builtin_schedulers().names(), std::vector<std::string>({"continuous", "priority", "static"}));
  EXPECT_EQ(builtin_routers().names(), std::vector<std::string>({"least_outstanding", "prefix_affinity", "round_robin"}));
  EXPECT_THROW(builtin_schedulers().create("fifo"), InputError);
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  for (const auto& scheduler : builtin_schedulers().names())
    for (const auto& router : builtin_routers().names()) {
      Traffic t;
      t.requests = trace_traffic(test::catalog_path("traces/mooncake_synthetic_trace.jsonl"), 1.0);
      t.requests.resize(300);
      SimConfig config;
      config.scheduler = scheduler;
      config.router = router;
      const SimResult r = simulate(engine(), m, pool_on("h100", m, 2), std::nullopt, config, std::move(t));
      EXPECT_EQ(r.summary.completed + r.summary.rejected, 300) << scheduler << " " << router;
    }
}

TEST(Simulator, GoodputCountsTheSlo) {
  const ModelSpec m = test::catalog().model("gpt-oss-120b");
  Traffic t;
  t.requests = synthetic_traffic(test::catalog().workload("1k-1k"), 10, 10, 1, 1);
  SimConfig strict;
  strict.slo_ttft_s = 1e-9;
  EXPECT_EQ(simulate(engine(), m, pool_on("cs-3", m), std::nullopt, strict, t).summary.goodput, 0);
  SimConfig loose;
  loose.slo_ttft_s = 1e3;
  loose.slo_tpot_s = 1e3;
  EXPECT_EQ(simulate(engine(), m, pool_on("cs-3", m), std::nullopt, loose, t).summary.goodput, 1);
}


// Everything a run writes: requests, time series and summary, as the CLI renders them.
std::string outputs(const SimResult& r) {
  return render(sim_requests_table(r), Format::csv) + render(sim_series_table(r), Format::csv) +
         render(sim_summary_table(r), Format::csv);
}

std::string run_bytes(const ModelSpec& m, const PoolSpec& pool, const std::optional<PoolSpec>& prefill, SimConfig config,
                      const Traffic& traffic, bool step_by_step) {
  config.step_by_step = step_by_step;
  return outputs(simulate(engine(), m, pool, prefill, config, traffic));
}

// The acceptance for the event-skipping simulator: on every shared trace, the default run and the
// step-by-step reference write the same bytes.
TEST_P(Traces, SkippingMatchesStepByStepByteForByte) {
  const auto& p = GetParam();
  const ModelSpec m = test::catalog().model(p.model);
  const PoolSpec pool = pool_on(p.hardware, m, 2);
  Traffic t;
  t.requests = trace_traffic(test::catalog_path("traces/" + p.trace), 1.0);
  SimConfig config;
  config.router = "least_outstanding";  // reads every replica's load at each arrival
  const std::string skipping = run_bytes(m, pool, std::nullopt, config, t, false);
  EXPECT_EQ(skipping, run_bytes(m, pool, std::nullopt, config, t, true));
}

struct SkipCase {
  std::string name, model, hardware, workload;
  double rate = 1, duration = 10, burstiness = 1;
  int replicas = 1;
  std::optional<int> tp;
  std::string scheduler = "continuous", router = "round_robin";
  std::string prefill_hardware;
};
void PrintTo(const SkipCase& c, std::ostream* os) { *os << c.name; }
class Skipping : public ::testing::TestWithParam<SkipCase> {};

// Synthetic traffic under several seeds, with KV pressure (preemption by recompute and by swap to the host
// tier), every scheduler, a disaggregated pool and a closed loop: skipping never changes a byte.
TEST_P(Skipping, MatchesStepByStepOnSyntheticTraffic) {
  const auto& c = GetParam();
  const ModelSpec m = test::catalog().model(c.model);
  PoolSpec pool = pool_on(c.hardware, m, c.replicas);
  pool.perf.tp = c.tp;
  std::optional<PoolSpec> prefill;
  if (!c.prefill_hardware.empty()) prefill = pool_on(c.prefill_hardware, m);
  SimConfig config;
  config.scheduler = c.scheduler;
  config.router = c.router;
  long long preemptions = 0;
  for (unsigned long long seed : {1ull, 2ull, 3ull}) {
    Traffic t;
    t.requests = synthetic_traffic(test::catalog().workload(c.workload), c.rate, c.duration, c.burstiness, seed);
    config.step_by_step = true;
    const SimResult reference = simulate(engine(), m, pool, prefill, config, t);
    preemptions += reference.summary.preemptions;
    EXPECT_EQ(outputs(reference), run_bytes(m, pool, prefill, config, t, false)) << "seed " << seed;
  }
  if (c.name.find("preempt") != std::string::npos) EXPECT_GT(preemptions, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Skipping,
    ::testing::Values(SkipCase{"cs3_conv_bursty", "gpt-oss-120b", "cs-3", "azure-conv", 20, 30, 0.5, 2},
                      SkipCase{"h100_preempt_recompute", "llama-3.1-70b", "dgx-h100", "1k-8k", 4, 20, 1, 1, 4},
                      SkipCase{"cs3_preempt_swap", "llama-3.1-70b", "cs-3", "1k-8k", 6, 20, 1, 1},
                      SkipCase{"h100_priority_least", "llama-3.1-8b", "h100", "azure-code", 30, 20, 1, 3, std::nullopt,
                               "priority", "least_outstanding"},
                      SkipCase{"h100_static", "llama-3.1-8b", "h100", "1k-1k", 5, 20, 1, 2, std::nullopt, "static"},
                      SkipCase{"disaggregated", "gpt-oss-120b", "cs-3", "8k-1k", 2, 20, 1, 2, std::nullopt,
                               "continuous", "least_outstanding", "dgx-b300"}),
    [](const auto& info) { return info.param.name; });

TEST(Simulator, ClosedLoopSkippingMatchesStepByStep) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  const PoolSpec pool = pool_on("cs-3", m, 2);
  const Traffic t = closed_loop(16, 200, 1024, 300);
  EXPECT_EQ(run_bytes(m, pool, std::nullopt, SimConfig{}, t, false), run_bytes(m, pool, std::nullopt, SimConfig{}, t, true));
}

// Skipping does skip: on a decode-heavy closed loop most decode steps are applied inside stretches, the
// iterations are the step-by-step run's, and far fewer events are handled.
TEST(Simulator, DecodeHeavyRunSkipsMostSteps) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  const PoolSpec pool = pool_on("cs-3", m, 2);
  const Traffic t = closed_loop(16, 200, 1024, 300);
  SimConfig config;
  const SimResult skipping = simulate(engine(), m, pool, std::nullopt, config, t);
  config.step_by_step = true;
  const SimResult reference = simulate(engine(), m, pool, std::nullopt, config, t);
  EXPECT_EQ(reference.diagnostics.skipped_steps, 0);
  EXPECT_EQ(reference.diagnostics.stretches, 0);
  EXPECT_GT(skipping.diagnostics.stretches, 0);
  EXPECT_GT(skipping.diagnostics.skipped_steps, skipping.diagnostics.steps);
  EXPECT_EQ(skipping.diagnostics.steps + skipping.diagnostics.skipped_steps, reference.diagnostics.steps);
  EXPECT_LT(skipping.diagnostics.events * 2, reference.diagnostics.events);
}

// Streaming a trace gives the run that reading it whole gives.
TEST(Simulator, StreamedTraceEqualsTheTraceReadWhole) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  const PoolSpec pool = pool_on("h100", m, 2);
  const std::string path = test::catalog_path("traces/mooncake_synthetic_trace.jsonl");
  Traffic whole;
  whole.requests = trace_traffic(path, 2.0);
  std::vector<SimRequest> streamed;
  const SimResult a = simulate(engine(), m, pool, std::nullopt, SimConfig{}, whole);
  const SimResult b = simulate(engine(), m, pool, std::nullopt, SimConfig{}, trace_stream(path, 2.0), {},
                               [&](const SimRequest& r) { streamed.push_back(r); });
  EXPECT_TRUE(b.requests.empty());
  std::sort(streamed.begin(), streamed.end(), [](const SimRequest& x, const SimRequest& y) { return x.id < y.id; });
  EXPECT_EQ(render(sim_requests_table(a), Format::csv), render(sim_requests_table(streamed), Format::csv));
  EXPECT_EQ(render(sim_summary_table(a), Format::csv), render(sim_summary_table(b), Format::csv));
}

// Diagnostics: replica time splits into prefill, decode and idle (summing to 1, in the summary and in each
// sample); an overloaded run warns with the ratio of offered to sustainable load, and that sustainable rate
// is what the saturated run completes; an underloaded run does not warn.
TEST(Simulator, UtilisationSharesSumToOne) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  Traffic t;
  t.requests = synthetic_traffic(test::catalog().workload("1k-1k"), 20, 30, 1, 4);
  const SimResult r = simulate(engine(), m, pool_on("h100", m, 2), std::nullopt, SimConfig{}, t);
  const SimSummary& s = r.summary;
  EXPECT_GT(s.prefill_share, 0);
  EXPECT_GT(s.decode_share, s.prefill_share);
  EXPECT_NEAR(s.prefill_share + s.decode_share + s.idle_share, 1.0, 1e-12);
  EXPECT_NEAR(s.utilization, s.prefill_share + s.decode_share, 1e-12);
  ASSERT_GT(r.series.size(), 10u);
  for (const auto& x : r.series) {
    EXPECT_NEAR(x.prefill_share + x.decode_share + x.idle_share, 1.0, 1e-9) << x.time_s;
    EXPECT_GE(x.idle_share, -1e-9) << x.time_s;
    EXPECT_GE(x.prefill_share, 0) << x.time_s;
  }
}

TEST(Simulator, OverloadWarnsWithTheRatioAndUnderloadDoesNot) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  const PoolSpec pool = pool_on("h100", m, 1);
  auto run = [&](double rate) {
    Traffic t;
    t.requests = synthetic_traffic(test::catalog().workload("1k-1k"), rate, 60, 1, 9);
    return simulate(engine(), m, pool, std::nullopt, SimConfig{}, t).summary;
  };
  const SimSummary probe = run(1);
  ASSERT_GT(probe.sustainable_rps, 0);
  EXPECT_TRUE(probe.overload_warning.empty()) << probe.overload_warning;
  EXPECT_LT(probe.load_ratio, 0.5);
  const SimSummary light = run(0.5 * probe.sustainable_rps);
  EXPECT_TRUE(light.overload_warning.empty()) << light.overload_warning;
  EXPECT_NEAR(light.load_ratio, 0.5, 0.1);
  EXPECT_LT(light.waiting_peak, 50);
  const SimSummary heavy = run(2 * probe.sustainable_rps);
  EXPECT_GT(heavy.load_ratio, 1.5);  // its own estimate counts the recomputes that preemption adds
  EXPECT_DOUBLE_EQ(heavy.load_ratio, heavy.offered_rps / heavy.sustainable_rps);
  EXPECT_NE(heavy.overload_warning.find(fmt::format("{:.2f}x", heavy.load_ratio)), std::string::npos) << heavy.overload_warning;
  EXPECT_GT(heavy.waiting_mean, 10 * light.waiting_mean + 1);
  // Saturated, it completes requests at about the rate the estimate says it sustains.
  EXPECT_NEAR(heavy.completed / heavy.duration_s, heavy.sustainable_rps, 0.25 * heavy.sustainable_rps);
}

struct BadTrace {
  std::string file, expected;
};
void PrintTo(const BadTrace& b, std::ostream* os) { *os << b.file; }
class BadTraces : public ::testing::TestWithParam<BadTrace> {};
TEST_P(BadTraces, NameFileLineAndField) {
  try {
    read_trace(test::data_path("bad_traces/" + GetParam().file));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().file + ":"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().expected), std::string::npos) << e.what();
  }
}
INSTANTIATE_TEST_SUITE_P(Rejects, BadTraces,
                         ::testing::Values(BadTrace{"missing_column.csv", "missing column 'GeneratedTokens'"},
                                           BadTrace{"negative_length.csv", "ContextTokens: expected a whole number of tokens in [0, "},
                                           BadTrace{"non_numeric.csv", "column 'ContextTokens': expected a number"},
                                           BadTrace{"backwards.jsonl", "timestamp goes backwards"},
                                           BadTrace{"string_length.jsonl", "input_length: expected a number"}),
                         [](const auto& info) { return info.param.file.substr(0, info.param.file.find('.')); });

}  // namespace
}  // namespace ws
