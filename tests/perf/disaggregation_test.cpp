// Disaggregated prefill/decode vs co-located serving: the speeds (perf/disaggregation.h). Prices are
// tests/econ/disaggregation_cost_test.cpp; the table and the 5x note tests/report/result_tables_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "perf/disaggregation.h"
#include "test_support.h"

namespace ws {
namespace {

// One engine on the test catalog, shared by every test here (as engine_test.cpp does).
const PerfEngine& catalog_engine() {
  static const PerfEngine engine(test::catalog());
  return engine;
}

DisaggRequest gpt_oss_8k_1k(const Catalog& c, const ModelSpec& m) {
  DisaggRequest d;
  d.workload = c.workload("8k-1k");
  d.prefill.weights = d.decode.weights = checkpoint_weight_format(m, c.precisions);
  d.prefill.kv = d.decode.kv = c.precisions.get("bf16", "test");
  d.decode.concurrency = 64;
  return d;
}

TEST(Disaggregation, DecodeWithoutPrefillStallsAndALinkCap) {
  const auto& c = test::catalog();
  const PerfEngine& engine = catalog_engine();
  const ModelSpec m = c.model("gpt-oss-120b");
  DisaggRequest d = gpt_oss_8k_1k(c, m);
  const auto rows = compare_disaggregation(engine, m, c.hardware("dgx-b300"), c.hardware("cs-3"), d);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(rows[0].tpot_s, rows[2].tpot_s);  // no prefill stalls on the decode wafers
  EXPECT_GT(rows[0].prefill_devices, 0);
  EXPECT_LE(rows[0].kv_link_utilization, 1.0 + 1e-9);
  EXPECT_GT(rows[0].kv_transfer_s, 0);
  // Too many long sequences for a 36-layer model on wafers: refused with what would fit.
  d.workload.input_tokens = LengthDistribution::constant(120000);
  d.decode.concurrency = 512;
  try {
    compare_disaggregation(engine, m, c.hardware("gb300-nvl72"), c.hardware("cs-3"), d);
    FAIL();
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("sequences fit"), std::string::npos) << e.what();
  }
}

// What econ/ prices: the decode deployment's systems plus the balanced prefill devices' share of a prefill system;
// a co-located row holds systems of its own hardware only.
TEST(Disaggregation, RowsNameTheSystemsTheyKeepBusy) {
  const auto& c = test::catalog();
  const PerfEngine& engine = catalog_engine();
  const ModelSpec m = c.model("gpt-oss-120b");
  const Hardware prefill = c.hardware("dgx-b300"), decode = c.hardware("cs-3");
  const auto rows = compare_disaggregation(engine, m, prefill, decode, gpt_oss_8k_1k(c, m));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_DOUBLE_EQ(rows[0].prefill_hardware_systems, rows[0].prefill_devices / prefill.system.chip_count);
  EXPECT_GT(rows[0].decode_hardware_systems, 0);
  EXPECT_GT(rows[1].prefill_hardware_systems, 0);
  EXPECT_EQ(rows[1].decode_hardware_systems, 0);
  EXPECT_EQ(rows[2].prefill_hardware_systems, 0);
  EXPECT_GT(rows[2].decode_hardware_systems, 0);
  for (const auto& r : rows) EXPECT_TRUE(r.fits) << r.label;
}

// DeepSeek-R1 in FP8 (KV too) on one H200 node, TP 8 x EP 8 under TRT-LLM, as InferenceX's Dynamo decode pools.
PerfRequest r1_h200_decode(const Catalog& c, const ModelSpec& m, double isl, double concurrency) {
  PerfRequest d;
  d.weights = weight_format(m, "fp8", c.precisions, "test");
  d.kv = c.precisions.get("fp8", "test");
  d.tp = 8;
  d.ep = 8;
  d.isl = isl;
  d.osl = 1024;
  d.concurrency = concurrency;
  d.serving_stack = "trt";
  return d;
}

// InferenceX's Dynamo runs fix both pools. Per-GPU throughput counts prefill and decode GPUs; while decode sets
// the rate, more prefill GPUs only dilute it, and a starved prefill pool caps the rate below what decode could do.
TEST(Disaggregation, FixedPoolsDivideByEveryGpuAndTakeTheSlowerPool) {
  const auto& c = test::catalog();
  const PerfEngine& engine = catalog_engine();
  const ModelSpec m = c.model("deepseek-r1");
  const Hardware h200 = c.hardware("h200");
  PerfRequest d = r1_h200_decode(c, m, 1024, 72);
  const FixedPoolsResult small = predict_fixed_pools(engine, m, h200, d, 72, 8);
  const FixedPoolsResult big = predict_fixed_pools(engine, m, h200, d, 72, 16);
  EXPECT_FALSE(small.prefill_bound);
  EXPECT_DOUBLE_EQ(small.tokens_per_s_per_user, big.tokens_per_s_per_user);
  EXPECT_NEAR(big.output_tokens_per_s_per_device / small.output_tokens_per_s_per_device, 80.0 / 88.0, 1e-9);
  d.concurrency = 4096;  // 8 prefill GPUs cannot feed 4,096 clients
  d.queue_beyond_memory = true;
  const FixedPoolsResult starved = predict_fixed_pools(engine, m, h200, d, 72, 8);
  EXPECT_TRUE(starved.prefill_bound);
  EXPECT_GT(starved.ttft_s, small.ttft_s);
  EXPECT_THROW(predict_fixed_pools(engine, m, h200, d, 4, 8), InputError);  // fewer GPUs than one replica
}

// A disaggregated request's first token waits for its prefill, then its KV's copy to the decode replica over the
// smaller side's NICs. R1's MLA keeps one latent of 512 + 64 values per token per layer (61 layers, config.json),
// one byte each in FP8; H200 has one 400 Gb/s NIC per GPU (chips.toml). The copy counts in the closed loop's rate:
// a longer prompt's is longer. InferenceX's per-GPU output divides by the decode GPUs only.
TEST(Disaggregation, KvCopyIsPartOfTheFirstToken) {
  const auto& c = test::catalog();
  const PerfEngine& engine = catalog_engine();
  const ModelSpec m = c.model("deepseek-r1");
  const Hardware h200 = c.hardware("h200");
  const PerfRequest d = r1_h200_decode(c, m, 8192, 64);
  const PerfResult decode = engine.run(m, h200, d);
  const PerfResult prefill = engine.run(m, h200, prefill_worker_request(d));
  const double kv_bytes = 8192.0 * 61 * (512 + 64) * 1;
  const double link_bytes_per_s = 50e9 * std::min(decode.devices, prefill.devices);
  const double copy_s = kv_handover_s(m, h200, d, decode, prefill);
  EXPECT_NEAR(copy_s, kv_bytes / link_bytes_per_s, 1e-3 * kv_bytes / link_bytes_per_s);

  const FixedPoolsResult pools = predict_fixed_pools(engine, m, h200, d, 64, 16);
  ASSERT_FALSE(pools.prefill_bound);
  EXPECT_NEAR(pools.ttft_s, prefill.ttft_s + copy_s, 1e-9);
  EXPECT_NEAR(pools.output_tokens_per_s_per_decode_device, pools.output_tokens_per_s_per_device * 80.0 / 64.0, 1e-9);
  // The closed loop: each of the 64 clients takes TTFT + (osl - 1) steps of the stall-free decode.
  const double request_s = pools.ttft_s + (d.osl - 1) / pools.tokens_per_s_per_user;
  EXPECT_NEAR(pools.output_tokens_per_s_per_decode_device, 64 * d.osl / request_s / 64, 1e-6);
  // A chip without link figures is an error naming it, not a default bandwidth.
  Hardware unlinked = h200;
  unlinked.chip.scale_out_bytes_per_s.reset();
  unlinked.chip.scale_up_bytes_per_s.reset();
  try {
    kv_handover_s(m, unlinked, d, decode, prefill);
    ADD_FAILURE() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("[h200]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("scale_out_gb_per_s"), std::string::npos) << e.what();
  }
}

// Decode workers that admit only their batch limit: InferenceX's H100 TRT-LLM recipe ctx1_gen3_tep16_batch1 runs 6
// clients through 3 workers of one sequence each. The 3 decoding run as 3 one-client replicas; every client comes
// back each 6 / rate seconds, so its first token waits out one whole request of another client (rate = 3 slots /
// request time, TTFT = first token + (6 / 3 - 1) x request time).
TEST(Disaggregation, DecodeSlotsQueueTheClientsBeyondThem) {
  const auto& c = test::catalog();
  const PerfEngine& engine = catalog_engine();
  const ModelSpec m = c.model("deepseek-r1");
  const Hardware h100 = c.hardware("dgx-h100");
  PerfRequest d = r1_h200_decode(c, m, 1024, 6);
  d.tp = 16;
  d.ep = 16;
  const FixedPoolsResult open = predict_fixed_pools(engine, m, h100, d, 48, 16);
  const FixedPoolsResult slots = predict_fixed_pools(engine, m, h100, d, 48, 16, 3);
  PerfRequest one = d;
  one.concurrency = 3;  // one per decode replica: the same decode replicas as the slotted pools run
  const FixedPoolsResult three = predict_fixed_pools(engine, m, h100, one, 48, 16);
  ASSERT_FALSE(slots.prefill_bound);
  EXPECT_EQ(slots.decoding_sequences, 3);
  EXPECT_EQ(open.decoding_sequences, 6);
  EXPECT_DOUBLE_EQ(slots.tokens_per_s_per_user, three.tokens_per_s_per_user);
  // The slotted pools deliver what 3 clients would, and each client's wait is one request time.
  EXPECT_NEAR(slots.output_tokens_per_s_per_decode_device, three.output_tokens_per_s_per_decode_device, 1e-9);
  const double request_s = three.ttft_s + (d.osl - 1) / three.tokens_per_s_per_user;
  EXPECT_NEAR(slots.ttft_s, three.ttft_s + request_s, 1e-6);
  EXPECT_GT(open.output_tokens_per_s_per_decode_device, 1.5 * slots.output_tokens_per_s_per_decode_device);
  // Slots beyond the clients change nothing.
  const FixedPoolsResult roomy = predict_fixed_pools(engine, m, h100, d, 48, 16, 24);
  EXPECT_DOUBLE_EQ(roomy.output_tokens_per_s_per_decode_device, open.output_tokens_per_s_per_decode_device);
  EXPECT_THROW(predict_fixed_pools(engine, m, h100, d, 48, 16, -1), InputError);
}

}  // namespace
}  // namespace ws
