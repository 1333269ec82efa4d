// The kernel-level HBM GPU step: wave quantisation over the SMs, the precision a GEMM runs at, MLA's KV on every
// TP rank unless attention runs data-parallel, and the serving stack's overheads.
#include "perf/hbm_gpu_device.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "perf/engine.h"
#include "test_support.h"

namespace ws {
namespace {

// One layer with one column-parallel GEMM of rows x columns x depth at FP8 on one device.
StepWork one_gemm(double rows, double columns, double depth) {
  StepWork w;
  w.compute_class = "fp8";
  w.record_terms = false;
  PhaseWork p;
  p.name = "gemm";
  p.weight_bytes_read = columns * depth;  // 1 byte per FP8 weight
  p.flops = 2 * rows * columns * depth;
  p.gemms[0] = PhaseGemm{rows, columns, depth, 1, false};
  w.layers.push_back(LayerWork{{p}});
  return w;
}

double gemm_seconds(const StepWork& w, const std::string& chip) {
  const HbmGpuDevice device(test::catalog().constants_for("hbm_gpu"));
  const Hardware h = test::catalog().hardware(chip);
  const double overhead = test::catalog().constants_for("hbm_gpu").get("kernel_overhead_s");
  return device.stage_time(w, 0, 1, false, false, h, Parallelism{}).seconds - overhead;
}

// H100 has 132 SMs (white paper). 512 rows = 4 row tiles of 128; 33 column tiles make 132 tiles = one wave,
// 34 make 136 = two waves: compute time doubles for 3% more work.
TEST(HbmGpu, GemmTilesRunInWholeWavesOverTheSms) {
  ASSERT_EQ(test::catalog().chip("h100").compute_units.value_or(0), 132);
  const double one_wave = gemm_seconds(one_gemm(512, 128 * 33, 8192), "h100");
  const double two_waves = gemm_seconds(one_gemm(512, 128 * 34, 8192), "h100");
  EXPECT_NEAR(two_waves / one_wave, 2.0, 1e-9);
  // A chip without an SM count in the catalog has no wave quantisation: time follows the tiles.
  ASSERT_FALSE(test::catalog().chip("trainium2").compute_units);
  const double a = gemm_seconds(one_gemm(512, 128 * 33, 8192), "trainium2");
  const double b = gemm_seconds(one_gemm(512, 128 * 34, 8192), "trainium2");
  EXPECT_NEAR(b / a, 34.0 / 33.0, 1e-9);
}

// A decode GEMM (8 tokens) is padded to the 16-row minimum tile, not to 128: it stays bound by reading weights.
TEST(HbmGpu, SmallBatchGemmsAreBoundByTheirWeights) {
  const double bandwidth = 3.35e12 * test::catalog().constants_for("hbm_gpu").get("hbm_bandwidth_efficiency");
  EXPECT_NEAR(gemm_seconds(one_gemm(8, 8192, 8192), "h100"), 8192.0 * 8192 / bandwidth, 1e-12);
}

// Weight-only quantisation: a chip without FP4 tensor cores (H100) runs FP4 weights at its 16-bit rate.
TEST(HbmGpu, MissingPrecisionPathsRunAtSixteenBits) {
  const Chip& h100 = test::catalog().chip("h100");
  EXPECT_DOUBLE_EQ(peak_flops_per_s(h100, "fp4"), 989e12);
  EXPECT_DOUBLE_EQ(peak_flops_per_s(h100, "fp8"), 1979e12);
  EXPECT_DOUBLE_EQ(peak_flops_per_s(test::catalog().chip("b200"), "fp4"), *test::catalog().chip("b200").flops_per_s("fp4"));
}

PerfRequest r1_request(double concurrency, bool attention_dp) {
  const ModelSpec m = test::catalog().model("deepseek-r1");
  PerfRequest r;
  r.weights = weight_format(m, "fp8", test::catalog().precisions, "test");
  r.kv = test::catalog().precisions.get("fp8", "test");
  r.concurrency = concurrency;
  r.isl = 8192;
  r.osl = 1024;
  r.tp = 8;
  r.ep = 8;
  r.attention_dp = attention_dp;
  r.serving_stack = "sglang";
  return r;
}

// MLA caches one latent per token that every head reads: under TP each rank holds and reads all of it. Data-
// parallel attention splits the sequences instead, so at a large batch of long contexts it decodes faster.
TEST(HbmGpu, MlaKvIsReadOnEveryTpRankUnlessAttentionIsDataParallel) {
  const PerfEngine engine(test::catalog());
  const ModelSpec m = test::catalog().model("deepseek-r1");
  const Hardware h200 = test::catalog().hardware("h200");
  const PerfResult tp = engine.run(m, h200, r1_request(128, false));
  const PerfResult dp = engine.run(m, h200, r1_request(128, true));
  EXPECT_LT(dp.decode_step_s, tp.decode_step_s);
  // 128 sequences x 9,216 tokens x 61 layers x 576 B of FP8 latent = 41 GB: on each of 8 GPUs under TP.
  const double kv_per_gpu_tp = 128 * 9216.0 * 61 * 576;
  EXPECT_NEAR(tp.kv_bytes, kv_per_gpu_tp, 0.02 * kv_per_gpu_tp);
}

TEST(HbmGpu, ServingStacksAreCatalogConstants) {
  const HbmGpuDevice device(test::catalog().constants_for("hbm_gpu"));
  for (const char* stack : {"vllm", "sglang", "trt"}) {
    EXPECT_GT(device.step_overhead_s(stack), 0) << stack;
    EXPECT_GT(device.request_overhead_s(stack), 0) << stack;
  }
  EXPECT_THROW(device.step_overhead_s("ollama"), InputError);
  const PerfEngine engine(test::catalog());
  PerfRequest r = r1_request(1, false);
  r.serving_stack = "ollama";
  EXPECT_THROW(engine.run(test::catalog().model("deepseek-r1"), test::catalog().hardware("h200"), r), InputError);
}

// A TP group inside one 8-GPU node all-reduces over NVLink (ring: 2 (n-1)/n x bytes); a TP 16 group spans two
// nodes (TP 8 runs two pipeline stages, one per node): the bytes cross the 50 GB/s scale-out NIC and each of the 2 (2-1) inter-node steps pays the scale-out
// latency. Decode of 16 sequences: each all-reduce carries 16 tokens x 7,168 x 2 bytes (BF16 activations).
TEST(HbmGpu, CollectivesCrossTheScaleOutNetworkOnlyBeyondOneSystem) {
  const PerfEngine engine(test::catalog());
  const ModelSpec m = test::catalog().model("deepseek-r1");
  const Hardware node = test::catalog().hardware("dgx-h100");
  const DeviceConstants& c = test::catalog().constants_for("hbm_gpu");
  auto all_reduce_s = [&](int tp) {
    PerfRequest r = r1_request(16, false);
    r.isl = 1024;
    r.osl = 64;
    r.tp = tp;
    r.pp = 16 / tp;  // 16 GPUs either way: the weights need two nodes
    r.ep = 1;
    const PerfResult result = engine.run(m, node, r);
    for (const auto& term : result.critical_path.terms)
      if (term.name.find("layer 5 o_proj all-reduce") != std::string::npos) return term.seconds;
    ADD_FAILURE() << "no all-reduce term at TP " << tp;
    return 0.0;
  };
  const double bytes = 16 * 7168 * 2.0;
  // Two stages split the 16 sequences into two microbatches of 8.
  EXPECT_NEAR(all_reduce_s(8), c.get("collective_latency_s") + 2 * 7.0 / 8 * (bytes / 2) / 450e9, 1e-9);
  EXPECT_NEAR(all_reduce_s(16),
              c.get("collective_latency_s") + 2 * c.get("scale_out_latency_s") + 2 * 15.0 / 16 * bytes / 50e9, 1e-9);
}

}  // namespace
}  // namespace ws
