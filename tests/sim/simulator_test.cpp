#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <cmath>

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
