#include "placement/deploy.h"

#include <gtest/gtest.h>

#include "core/csv.h"
#include "test_support.h"

namespace ws {
namespace {

Deployment run(const std::string& model_name, const std::string& hardware, const std::string& weights,
               double context = 128000, double concurrency = 1, bool honor_windows = false) {
  const auto& c = test::catalog();
  const ModelSpec m = c.model(model_name);
  DeployRequest request;
  request.weights = weight_format(m, weights, c.precisions, "test");
  request.kv = c.precisions.get("bf16", "test");
  request.context_tokens = context;
  request.concurrency = concurrency;
  request.honor_windows = honor_windows;
  return deploy(m, c.hardware(hardware), request);
}

TEST(PackLayers, CutsOnLayerBoundariesOnly) {
  const auto shares = pack_layers({10, 10, 10, 10, 10}, 5, 5, 30);
  ASSERT_EQ(shares.size(), 3u);  // [5+10+10] [10+10] [10+5]
  EXPECT_EQ(shares[0].last_layer, 2);
  EXPECT_DOUBLE_EQ(shares[0].weight_bytes, 25);
  EXPECT_DOUBLE_EQ(shares[2].weight_bytes, 15);
  EXPECT_TRUE(pack_layers({10, 40}, 0, 0, 30).empty());  // one layer larger than a device
}

// The acceptance figures: 1, 4 and 21 wafers for Llama 3.1 8B/70B/405B at bf16; 2 for gpt-oss-120b at
// its checkpoint precision (MXFP4 experts).
TEST(Deploy, MinimumWafersOfTheSource) {
  EXPECT_EQ(run("llama-3.1-8b", "cs-3", "bf16").min_devices, 1);
  EXPECT_EQ(run("llama-3.1-70b", "cs-3", "bf16").min_devices, 4);
  EXPECT_EQ(run("llama-3.1-405b", "cs-3", "bf16").min_devices, 21);
  EXPECT_EQ(run("gpt-oss-120b", "cs-3", "checkpoint").min_devices, 2);
  EXPECT_EQ(run("llama-4-maverick", "cs-3", "bf16").min_devices, 24);  // one 32.6 GB MoE layer per wafer
}

TEST(Deploy, FreeSramAndKvTransferFollowTheConsistentRule) {
  const Deployment d8 = run("llama-3.1-8b", "cs-3", "bf16");
  EXPECT_NEAR(d8.free_bytes_per_device / 1e9, 27.9, 0.05);
  EXPECT_NEAR(*d8.kv_transfer_seconds * 1e3, 111.8, 0.05);  // 16.8 GB over 150 GB/s
  const Deployment d70 = run("llama-3.1-70b", "cs-3", "bf16");
  EXPECT_NEAR(d70.free_bytes_per_device / 1e9, 8.7, 0.05);
  const Deployment d405 = run("llama-3.1-405b", "cs-3", "bf16");
  EXPECT_NEAR(*d405.kv_transfer_seconds * 1e3, 21.0, 0.05);  // 66.1 GB over 21 x 150 GB/s
  const Deployment oss = run("gpt-oss-120b", "cs-3", "checkpoint");
  EXPECT_NEAR(oss.free_bytes_per_device / 1e9, 11.4, 0.05);
  EXPECT_NEAR(*oss.kv_transfer_seconds * 1e3, 31.5, 0.05);
}

TEST(Deploy, EveryLayerFitsAndLayersArePlacedOnce) {
  const Deployment d = run("deepseek-v3", "cs-3", "checkpoint");
  ASSERT_TRUE(d.feasible);
  int next = 0;
  for (const auto& share : d.shares) {
    EXPECT_EQ(share.first_layer, next);
    EXPECT_LE(share.weight_bytes, 44e9);
    next = share.last_layer;
  }
  EXPECT_EQ(next, 62);  // 61 decoder layers + the MTP module
}

// The public calculator's worked example: gpt-oss-120b at 96.3k tokens, 250 concurrent sequences:
// 65 GB of weights + 1.78 TB of KV -> 42 CS-3, 0.86 layers per wafer, 97% of memory KV.
TEST(Deploy, CalculatorWorkedExample) {
  const Deployment d = run("gpt-oss-120b", "cs-3", "checkpoint", 96300, 250, false);
  EXPECT_NEAR(d.concurrency * d.kv_bytes_per_sequence / 1e12, 1.78, 0.01);
  EXPECT_EQ(d.systems_for_concurrency, 42);
  EXPECT_NEAR(d.layers_per_device_at_concurrency, 0.86, 0.005);
  EXPECT_NEAR(d.kv_share_of_memory, 0.97, 0.01);
}

TEST(Deploy, HbmSystemsShardByCapacity) {
  const Deployment d = run("llama-3.1-405b", "gb300-nvl72", "bf16");
  EXPECT_EQ(d.placement_rule, "capacity");
  EXPECT_EQ(d.min_devices, 3);  // 811.7 GB over 288 GB GPUs
  EXPECT_EQ(d.min_systems, 1);
  EXPECT_EQ(d.sequences_that_fit, 0);  // 52 GB left, one 128K sequence needs 66 GB
  const Deployment small = run("llama-3.1-70b", "gb300", "bf16");
  EXPECT_EQ(small.min_devices, 1);
  EXPECT_EQ(small.sequences_that_fit, 3);  // (288 - 141.1) GB / 41.9 GB
}

TEST(Deploy, LayerLargerThanAWaferIsReportedNotThrown) {
  // DeepSeek V3 in fp32 has MoE layers of ~45 GB: no wafer holds one.
  const Deployment d = run("deepseek-v3", "cs-3", "fp32");
  EXPECT_FALSE(d.feasible);
  EXPECT_NE(d.infeasible_reason.find("cannot be placed on layer boundaries"), std::string::npos);
}

}  // namespace
}  // namespace ws
