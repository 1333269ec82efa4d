#include "perf/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.h"
#include "perf/device_class_registry.h"
#include "test_support.h"

namespace ws {
namespace {

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

PerfRequest request(const ModelSpec& m, const std::string& weights = "checkpoint", double concurrency = 1) {
  PerfRequest r;
  r.weights = weight_format(m, weights, test::catalog().precisions, "test");
  r.kv = test::catalog().precisions.get("bf16", "test");
  r.concurrency = concurrency;
  return r;
}

TEST(DeviceClassRegistry, EveryCatalogClassResolvesAndEveryRegisteredClassIsUsed) {
  const auto& registry = builtin_device_classes();
  for (const auto& chip : test::catalog().chips) EXPECT_TRUE(registry.contains(chip.device_class)) << chip.name;
  for (const auto& name : registry.names()) {
    EXPECT_NO_THROW(test::catalog().constants_for(name)) << name;
    EXPECT_NO_THROW(registry.create(name, test::catalog().constants_for(name))) << name;
  }
  EXPECT_EQ(registry.names(), std::vector<std::string>({"hbm_gpu", "sram_lpu", "wafer"}));
  EXPECT_THROW(registry.create("tpu", test::catalog().constants_for("wafer")), InputError);
}

// Repeated layers share the phases of the first of their run (StepWork::layer resolves them): the step still
// holds every layer's weights, as the footprint counts them.
TEST(Work, RepeatedLayersShareTheirPhasesButCountInFull) {
  for (const char* name : {"llama-3.1-70b", "gpt-oss-120b", "qwen3-235b-a22b"}) {
    const ModelSpec m = test::catalog().model(name);
    const WeightFormat w = weight_format(m, "checkpoint", test::catalog().precisions, "test");
    const StepWork work = decode_work(m, w, test::catalog().precisions.get("bf16", "test"), 8, 2048, true);
    ASSERT_EQ(work.layers.size(), m.layers.size()) << name;
    int shared = 0;
    for (std::size_t i = 0; i < work.layers.size(); ++i) {
      shared += work.layers[i].same_as >= 0 ? 1 : 0;
      EXPECT_FALSE(work.layer(static_cast<int>(i)).phases.empty()) << name << " layer " << i;
    }
    // gpt-oss alternates sliding and full attention: no two neighbours alike, nothing shared.
    if (std::string(name) != "gpt-oss-120b") EXPECT_GT(shared, 0) << name;
    else EXPECT_EQ(shared, 0);
    // The footprint also counts the RMSNorm vectors (a few per layer, ~1e-5 of the weights), which no phase reads.
    EXPECT_NEAR(work.weight_bytes_resident() / weight_bytes(m, w), 1.0, 1e-4) << name;
  }
}

TEST(Work, ExpectedExpertsTouched) {
  EXPECT_DOUBLE_EQ(expected_experts_touched(128, 4, 1), 4.0);
  EXPECT_NEAR(expected_experts_touched(256, 8, 1000), 256.0, 1e-6);
  EXPECT_LT(expected_experts_touched(256, 8, 4), 32.0);  // collisions
}

// The busiest expert-parallel group: exact on a case worked by hand, its limits, and against routing simulated
// token by token (each token picks k distinct experts), which the formula's independent-groups binomial
// approximates.
TEST(Work, ExpectedBusiestExpertGroup) {
  // Two groups of two experts, each hit with probability 1/2: P(max = 0) = 1/16, P(max <= 1) = 9/16 -> E = 22/16.
  EXPECT_NEAR(expected_busiest_group_experts(4, 2, 2), 22.0 / 16.0, 1e-12);
  EXPECT_DOUBLE_EQ(expected_busiest_group_experts(256, 37.5, 1), 37.5);  // no EP: the mean
  EXPECT_DOUBLE_EQ(expected_busiest_group_experts(256, 256, 8), 32.0);  // every expert hit
  std::mt19937 rng(7);
  for (auto [tokens, groups] : {std::pair{8, 8}, {64, 8}, {4, 16}, {128, 72}}) {
    const int experts = groups == 72 ? 288 : 256, k = 8, per_group = experts / groups, trials = 1500;
    double simulated = 0;
    std::vector<int> order(experts);
    std::iota(order.begin(), order.end(), 0);
    for (int t = 0; t < trials; ++t) {
      std::vector<char> hit(experts, 0);
      for (int token = 0; token < tokens; ++token) {
        // A partial Fisher-Yates shuffle draws k distinct experts (from any current order: still uniform).
        for (int pick = 0; pick < k; ++pick) {
          std::uniform_int_distribution<int> choose(pick, experts - 1);
          std::swap(order[pick], order[choose(rng)]);
          hit[order[pick]] = 1;
        }
      }
      int busiest = 0;
      for (int g = 0; g < groups; ++g) busiest = std::max(busiest, static_cast<int>(std::count(hit.begin() + g * per_group, hit.begin() + (g + 1) * per_group, 1)));
      simulated += busiest;
    }
    simulated /= trials;
    const double touched = expected_experts_touched(experts, k, tokens);
    const double formula = expected_busiest_group_experts(experts, touched, groups);
    EXPECT_NEAR(formula / simulated, 1.0, 0.03) << tokens << " tokens, EP " << groups;
    EXPECT_GE(formula, touched / groups) << tokens;
  }
}

TEST(Spec, ExpectedTokensPerIteration) {
  EXPECT_DOUBLE_EQ(expected_tokens_per_iteration(0.5, 0), 1.0);
  EXPECT_DOUBLE_EQ(expected_tokens_per_iteration(0.5, 1), 1.5);
  EXPECT_NEAR(expected_tokens_per_iteration(0.8, 4), (1 - std::pow(0.8, 5)) / 0.2, 1e-12);
}

TEST(SplitLayers, BalancedAndContiguous) {
  const auto groups = split_layers(std::vector<double>(10, 1.0), 0, 0, 3);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups.front().first, 0);
  EXPECT_EQ(groups.back().second, 10);
  for (std::size_t i = 1; i < groups.size(); ++i) EXPECT_EQ(groups[i].first, groups[i - 1].second);
  for (const auto& g : groups) EXPECT_LE(g.second - g.first, 4);
}

// Splits are remembered per thread: a remembered split must be the one its own inputs give, not a neighbour's.
TEST(SplitLayers, RememberedSplitsFollowTheirInputs) {
  const std::vector<double> even(8, 1.0);
  std::vector<double> heavy_front(8, 1.0);
  heavy_front[0] = 5.0;
  EXPECT_EQ(split_layers(even, 0, 0, 2), (std::vector<std::pair<int, int>>{{0, 4}, {4, 8}}));
  EXPECT_EQ(split_layers(heavy_front, 0, 0, 2), (std::vector<std::pair<int, int>>{{0, 2}, {2, 8}}));
  EXPECT_EQ(split_layers(even, 0, 3, 2), (std::vector<std::pair<int, int>>{{0, 6}, {6, 8}}));  // the head: 6 and 2 + 3
  EXPECT_EQ(split_layers(even, 0, 0, 4).size(), 4u);
  EXPECT_EQ(split_layers(even, 0, 0, 2), (std::vector<std::pair<int, int>>{{0, 4}, {4, 8}}));  // asked again
}

// At batch 1 an HBM GPU streams all weights once per token: TPOT is at least weights / bandwidth.
TEST(HbmGpu, SingleStreamIsBoundedByHbmBandwidth) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  const PerfResult r = engine().run(m, test::catalog().hardware("h100"), request(m, "bf16"));
  EXPECT_GE(r.decode_step_s, 16.06e9 / 3.35e12);
  EXPECT_LE(r.decode_step_s, 16.06e9 / 3.35e12 / 0.3 + 32 * 1e-3);
  EXPECT_EQ(r.devices, 1);
}

TEST(HbmGpu, LargePrefillIsComputeBound) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  PerfRequest q = request(m, "fp8", 1);
  q.isl = 32768;
  q.tp = 8;
  const PerfResult r = engine().run(m, test::catalog().hardware("dgx-h100"), q);
  // 2 x 70e9 x 32768 FLOPs at most 8 x 1979 TFLOP/s: prefill cannot be faster than that.
  EXPECT_GT(r.prefill_s, 2 * 70e9 * 32768 / (8 * 1979e12));
}

// LPUs hold a fraction of a layer each: every catalog model (config.json ones) places on every LPU by splitting
// each layer over a group of chips; Llama 4 Scout/Maverick and Kimi K2 once failed with "only N layers to cut on".
TEST(SramLpu, EveryCatalogModelPlacesBySplittingLayers) {
  for (const auto& entry : test::catalog().models) {
    if (entry.aggregate) continue;
    const ModelSpec m = test::catalog().model(entry.name);
    for (const char* lpu : {"lpu1", "lpu3", "groq-lp30"}) {
      PerfResult r;
      ASSERT_NO_THROW(r = engine().run(m, test::catalog().hardware(lpu), request(m))) << entry.name << " on " << lpu;
      EXPECT_LE(r.parallel.pp, static_cast<int>(m.layers.size())) << entry.name;
      EXPECT_GE(r.memory_capacity_bytes, r.weight_bytes) << entry.name << " on " << lpu;
    }
  }
}

// Groq served Llama 2 70B on 576 LPU v1 chips (a Groq engineer, reference groq_llama2_70b_2024.csv). At the
// checkpoint's 16 bits the weights alone need 138 GB / 230 MB = 600 chips; whole chips per stage add a few
// more. Each stage is as wide as its own weights need, so the total is not layers x the widest stage.
TEST(SramLpu, GroqLlama2DeploymentComesOutOfThePlacement) {
  const ModelSpec m = test::catalog().model("llama-2-70b");
  PerfRequest q = request(m, "fp16");
  q.isl = 550;
  q.osl = 150;
  const PerfResult r = engine().run(m, test::catalog().hardware("lpu1"), q);
  EXPECT_NEAR(r.devices / 576.0, 1.0, 0.08) << r.devices;
  EXPECT_GE(r.devices, 600);
  EXPECT_GT(r.parallel.pp, 20);  // pipelined over chip groups, not one layer spread over every chip
  ASSERT_EQ(static_cast<int>(r.parallel.stage_tp.size()), r.parallel.pp);
  EXPECT_EQ(r.parallel.devices(), r.devices);
}

// Sweeps skip naming terms and reuse a repeated layer's time (and a repeated pipeline stage's); the numbers must be
// the ones the named terms add up to, on every device class and on models whose layers differ (dense + MoE, sliding
// + full attention), on pipelines of 4 to 60 stages.
TEST(Engine, ReusedLayerTimesEqualComputedOnes) {
  for (const auto& [model, hardware] : std::vector<std::pair<std::string, std::string>>{
           {"deepseek-r1", "dgx-b300"}, {"gpt-oss-120b", "h100"}, {"llama-3.1-70b", "cs-3"},
           {"gpt-oss-120b", "cs-3"}, {"llama-3.1-8b", "lpu1"}, {"kimi-k2", "gb300-nvl72"},
           {"llama-3.1-405b", "cs-3"}, {"deepseek-r1", "lpu1"}, {"gpt-oss-120b", "groq-lp30"}}) {
    const ModelSpec m = test::catalog().model(model);
    PerfRequest q = request(m, "checkpoint", 16);
    q.record_terms = true;
    const PerfResult named = engine().run(m, test::catalog().hardware(hardware), q);
    q.record_terms = false;
    const PerfResult fast = engine().run(m, test::catalog().hardware(hardware), q);
    EXPECT_NEAR(fast.decode_step_s / named.decode_step_s, 1.0, 1e-12) << model << " on " << hardware;
    EXPECT_NEAR(fast.ttft_s / named.ttft_s, 1.0, 1e-12) << model << " on " << hardware;
    EXPECT_EQ(fast.parallel.pp, named.parallel.pp);
  }
}

TEST(Engine, InfeasibleRequestsSayWhatWouldFit) {
  const ModelSpec m = test::catalog().model("llama-3.1-405b");
  try {
    PerfRequest one = request(m, "bf16");
    one.devices = 1;
    engine().run(m, test::catalog().hardware("h100"), one);  // 812 GB on one 80 GB GPU
    FAIL();
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("devices"), std::string::npos);
  }
  PerfRequest q = request(m, "bf16");
  q.tp = 3;
  try {
    engine().run(m, test::catalog().hardware("dgx-h100"), q);
    FAIL();
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("valid TP: 1,2,4,8,16,32,64,128"), std::string::npos) << e.what();
  }
  PerfRequest wafer_tp = request(m, "bf16");
  wafer_tp.tp = 2;
  EXPECT_THROW(engine().run(m, test::catalog().hardware("cs-3"), wafer_tp), InputError);
  EXPECT_THROW(engine().run(test::catalog().model("llama-4-behemoth"), test::catalog().hardware("cs-3"), q), InputError);
}

TEST(Engine, ConcurrencyBeyondKvRoomIsRejected) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  PerfRequest q = request(m, "bf16", 200);
  q.isl = 128000;
  q.pp = 4;
  try {
    engine().run(m, test::catalog().hardware("cs-3"), q);
    FAIL();
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("Fits no concurrent sequences"), std::string::npos) << e.what();
  }
}

TEST(Wafer, PipelineOfWafersOnLayerBoundaries) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  const PerfResult r = engine().run(m, test::catalog().hardware("cs-3"), request(m, "bf16"));
  EXPECT_EQ(r.parallel.pp, 4);
  EXPECT_EQ(r.stage_times.size(), 4u);
  EXPECT_NE(r.bound, bound::memory_bandwidth);  // batch 1 on a wafer: the mesh and per-core math, not SRAM bandwidth
  EXPECT_GT(r.critical_path.seconds_by_bound().at(bound::fabric_latency), 0.3 * r.decode_step_s);
  // One wafer hop per stage boundary on the critical path.
  int hops = 0;
  for (const auto& t : r.critical_path.terms) hops += t.bound == bound::off_chip_io;
  EXPECT_EQ(hops, 3);
}

TEST(Wafer, MicrobatchesFillThePipeline) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  PerfRequest one = request(m, "bf16", 1), four = request(m, "bf16", 4);
  one.pp = four.pp = 4;
  one.isl = four.isl = 64;  // short prompts: the other requests' prefills barely stall the batch
  one.osl = four.osl = 1024;
  const PerfResult a = engine().run(m, test::catalog().hardware("cs-3"), one);
  const PerfResult b = engine().run(m, test::catalog().hardware("cs-3"), four);
  EXPECT_EQ(b.microbatches, 4);
  EXPECT_GT(b.output_tokens_per_s, 3.0 * a.output_tokens_per_s);  // 4 microbatches keep 4 stages busy
}

TEST(Spec, DraftModelSpeedsUpSingleStreamWhenAcceptanceIsHigh) {
  const ModelSpec m = test::catalog().model("llama-3.1-70b");
  PerfRequest plain = request(m, "fp8");
  // TP 2: the draft (the 8B at 16 bits on one GPU, ~7 ms a step) must be cheaper than the target's step; at TP 8
  // the 70B steps in ~7.5 ms too, and the engine rightly drafts nothing.
  plain.tp = 2;
  PerfRequest spec = plain;
  spec.spec.method = "draft";
  spec.spec.draft_model = "llama-3.1-8b";
  spec.spec.acceptance = 0.9;
  const auto hw = test::catalog().hardware("dgx-h100");
  const PerfResult a = engine().run(m, hw, plain), b = engine().run(m, hw, spec);
  EXPECT_GT(b.tokens_per_s_per_user, a.tokens_per_s_per_user);
  EXPECT_GT(b.spec_draft_tokens, 0);
  spec.spec.acceptance = 0.05;  // a useless draft is not used
  EXPECT_DOUBLE_EQ(engine().run(m, hw, spec).tokens_per_s_per_user, a.tokens_per_s_per_user);
}

// An MTP draft step is the MTP layer's and the head's kernels, run inside the iteration: the engine's per-iteration
// overhead and its host work per token are paid once per iteration (the latter for the k + 1 verified tokens), not
// per draft. At one client (no prefill stalls) and k = 1 with acceptance a, TPOT = (draft + verify) / (1 + a): adding
// D to the iteration overhead adds D / (1 + a) to TPOT; adding d per token adds 2 d / (1 + a).
TEST(Spec, MtpDraftStepPaysNoIterationOverheadOfItsOwn) {
  const ModelSpec m = test::catalog().model("deepseek-r1");
  PerfRequest q = request(m, "fp8");
  q.kv = test::catalog().precisions.get("fp8", "test");
  q.tp = 8;
  q.serving_stack = "sglang";
  q.spec.method = "mtp";
  q.spec.draft_tokens = 1;
  q.spec.acceptance = 0.5;
  q.spec.acceptance_given = true;
  const auto hw = test::catalog().hardware("h200");
  auto tpot_with = [&](const std::string& constant, double added) {
    Catalog changed = test::catalog();
    for (auto& dc : changed.device_constants)
      if (dc.device_class == "hbm_gpu") dc.values[constant] += added;
    const PerfEngine changed_engine(changed);
    return changed_engine.run(m, hw, q).tpot_s;
  };
  const double base = engine().run(m, hw, q).tpot_s;
  EXPECT_NEAR((tpot_with("step_overhead_s_sglang", 1e-3) - base) * 1.5, 1e-3, 1e-9);
  EXPECT_NEAR((tpot_with("token_overhead_s_sglang", 1e-4) - base) * 1.5, 2e-4, 1e-9);
}

// The engine's host work per token of a decode step: tokens x the stack's constant, once per scheduler (each
// data-parallel attention rank schedules its own share), and the stacks differ as the calibration says.
TEST(HbmGpu, EngineWorkGrowsWithTheSequencesOfEachScheduler) {
  const ModelSpec m = test::catalog().model("deepseek-r1");
  const DeviceConstants& constants = test::catalog().constants_for("hbm_gpu");
  auto engine_work = [&](const std::string& stack, bool attention_dp) {
    PerfRequest q = request(m, "fp8", 64);
    q.tp = 8;
    q.ep = attention_dp ? std::optional<int>(8) : std::nullopt;
    q.attention_dp = attention_dp;
    q.serving_stack = stack;
    const PerfResult r = engine().run(m, test::catalog().hardware("dgx-b300"), q);
    for (const auto& t : r.critical_path.terms)
      if (t.name.rfind("engine work for ", 0) == 0) return std::make_pair(t.name, t.seconds);
    return std::make_pair(std::string("none"), 0.0);
  };
  for (const char* stack : {"vllm", "sglang", "trt"}) {
    const double per_sequence = constants.get(std::string("token_overhead_s_") + stack);
    const auto [name, seconds] = engine_work(stack, false);
    EXPECT_EQ(name, fmt::format("engine work for 64 tokens ({})", stack));
    EXPECT_NEAR(seconds, 64 * per_sequence, 1e-15) << stack;
    const auto [dp_name, dp_seconds] = engine_work(stack, true);
    EXPECT_EQ(dp_name, fmt::format("engine work for 8 tokens ({})", stack));
    EXPECT_NEAR(dp_seconds, 8 * per_sequence, 1e-15) << stack;
  }
  EXPECT_GT(constants.get("token_overhead_s_sglang"), constants.get("token_overhead_s_vllm"));
}

TEST(Engine, ExplainTermsAddUpToTheStep) {
  const ModelSpec m = test::catalog().model("deepseek-v3");
  PerfRequest q = request(m, "checkpoint", 8);
  q.tp = 8;
  const PerfResult r = engine().run(m, test::catalog().hardware("dgx-b300"), q);
  double sum = 0;
  for (const auto& t : r.critical_path.terms) sum += t.seconds;
  EXPECT_NEAR(sum, r.critical_path.seconds, 1e-12);
  EXPECT_NEAR(r.critical_path.seconds, r.decode_step_s, 1e-12);
  EXPECT_FALSE(r.bound.empty());
}

}  // namespace
}  // namespace ws
