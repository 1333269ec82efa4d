#include "model/footprint.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/csv.h"
#include "test_support.h"

namespace ws {
namespace {

const Precision& precision(const std::string& name) { return test::catalog().precisions.get(name, "test"); }

TEST(Precision, BlockScalesAreCounted) {
  EXPECT_DOUBLE_EQ(precision("bf16").bytes_per_element(), 2.0);
  EXPECT_DOUBLE_EQ(precision("fp8").bytes_per_element(), 1.0);
  EXPECT_DOUBLE_EQ(precision("fp4").bytes_per_element(), 0.5);
  EXPECT_DOUBLE_EQ(precision("mxfp4").bytes_per_element(), 4.25 / 8);  // OCP MX: 8-bit scale per 32
  EXPECT_DOUBLE_EQ(precision("nvfp4").bytes_per_element(), 4.5 / 8);
}

TEST(Footprint, KvBytesPerTokenByHand) {
  // Source notes: 32 layers x 8 KV heads x 128 dim x 2 (K,V) x 2 bytes = 131,072 B/token.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(test::catalog().model("llama-3.1-8b"), precision("bf16")), 131072);
  // MLA: (512 + 64) x 61 layers x 2 bytes = 70,272 B/token.
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(test::catalog().model("deepseek-v3"), precision("bf16")), 70272);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(test::catalog().model("llama-3.1-8b"), precision("fp8")), 65536);
}

TEST(Footprint, WindowsCapSlidingLayers) {
  const ModelSpec m = test::catalog().model("gpt-oss-120b");
  const double per_layer = 8 * (64 + 64) * 2.0;  // bytes per token per layer
  EXPECT_DOUBLE_EQ(kv_bytes_for_context(m, precision("bf16"), 128000, false), 36 * 128000 * per_layer);
  EXPECT_DOUBLE_EQ(kv_bytes_for_context(m, precision("bf16"), 128000, true), (18 * 128000 + 18 * 128) * per_layer);
  // Below the window the two conventions agree.
  EXPECT_DOUBLE_EQ(kv_bytes_for_context(m, precision("bf16"), 100, true), kv_bytes_for_context(m, precision("bf16"), 100, false));
}

TEST(Footprint, GptOssCheckpointIsMxfp4ExpertsAndBf16Rest) {
  const ModelSpec m = test::catalog().model("gpt-oss-120b");
  const ParamCounts p = param_counts(m);
  // Routed experts: 36 layers x 128 experts x (gate_up 2 x 2880 x 2880 + down 2880 x 2880 + biases 2 x 2880 + 2880).
  const double routed = 36.0 * 128 * (3.0 * 2880 * 2880 + 3.0 * 2880);
  const double expected = (p.total - routed) * 2.0 + routed * 4.25 / 8;
  EXPECT_NEAR(weight_bytes(m, checkpoint_weight_format(m, test::catalog().precisions)), expected, 1e-4 * expected);
}

// Golden: the source's footprint table (catalog/published/model_footprints.csv), every model with a config,
// parameters within 2% and KV within 1% on the source's convention (every layer at full context).
TEST(Footprint, ReproducesThePublishedTable) {
  const std::string file = test::catalog_path("published/model_footprints.csv");
  const CsvTable table = read_csv(file);
  int checked = 0;
  for (const auto& row : table.rows) {
    const std::string name = row.at("model", file);
    const ModelEntry* entry = nullptr;
    for (const auto& e : test::catalog().models)
      if (e.published_name == name) entry = &e;
    ASSERT_NE(entry, nullptr) << name;
    if (entry->aggregate) continue;  // no config to recompute from
    const ModelSpec m = test::catalog().model(entry->name);
    const ParamCounts p = param_counts(m);
    auto near = [&](const std::string& column, double computed, double tolerance) {
      const double printed = csv_number(row, column, file);
      if (std::isnan(printed)) return;
      EXPECT_NEAR(computed, printed, tolerance * printed + 0.05) << name << " " << column;
      ++checked;
    };
    near("total_params_B", p.total / 1e9, 0.02);
    near("attn_params_B", p.attention / 1e9, 0.02);
    near("ffn_params_B", p.ffn / 1e9, 0.02);
    near("size_bf16_GB", weight_bytes(m, uniform_weight_format(precision("bf16"))) / 1e9, 0.02);
    near("size_fp8_GB", weight_bytes(m, uniform_weight_format(precision("fp8"))) / 1e9, 0.02);
    near("size_fp4_GB", weight_bytes(m, uniform_weight_format(precision("fp4"))) / 1e9, 0.02);
    near("checkpoint_GB", weight_bytes(m, checkpoint_weight_format(m, test::catalog().precisions)) / 1e9, 0.02);
    const Precision& kv = precision(row.at("kv_storage", file) == "BF16" ? "bf16" : "fp8");
    near("kv_128k_GB", kv_bytes_for_context(m, kv, 128000, false) / 1e9, 0.01);
    near("kv_256k_GB", kv_bytes_for_context(m, kv, 256000, false) / 1e9, 0.01);
    near("kv_1m_GB", kv_bytes_for_context(m, kv, 1000000, false) / 1e9, 0.01);
  }
  EXPECT_GE(checked, 60);
}

TEST(Footprint, ActiveParametersOfMoeModels) {
  // Published: gpt-oss-120b 5.1B active (OpenAI), DeepSeek V3 37B (DeepSeek), Qwen3-235B-A22B 22B (Qwen).
  EXPECT_NEAR(param_counts(test::catalog().model("gpt-oss-120b")).active / 1e9, 5.13, 0.1);
  EXPECT_NEAR(param_counts(test::catalog().model("deepseek-v3")).active / 1e9, 37, 0.74);
  EXPECT_NEAR(param_counts(test::catalog().model("qwen3-235b-a22b")).active / 1e9, 22, 0.44);
}

}  // namespace
}  // namespace ws
