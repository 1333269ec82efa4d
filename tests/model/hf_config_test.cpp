#include "model/hf_config.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "model/footprint.h"
#include "test_support.h"

namespace ws {
namespace {

ModelSpec load(const std::string& repo) { return load_hf_config(test::data_path("configs/" + repo)); }

// Other published members of the catalog's families, against the parameter counts their authors publish.
struct PublishedCount {
  std::string repo;
  double total_b;
  double active_b;  // 0 = not published
  std::string source;
  bool counts_input_embedding = false;  // the vendor's "active" includes the embedding lookup table
};
void PrintTo(const PublishedCount& p, std::ostream* os) { *os << p.repo; }

class PublishedCounts : public ::testing::TestWithParam<PublishedCount> {};

TEST_P(PublishedCounts, TotalAndActiveWithin2Percent) {
  const auto& p = GetParam();
  const ParamCounts counts = param_counts(load(p.repo));
  EXPECT_NEAR(counts.total / 1e9, p.total_b, 0.02 * p.total_b) << p.source;
  // Our "active" counts attention, the experts a token passes through and the unembedding (OpenAI's and
  // DeepSeek's convention); Qwen also counts the input embedding. Vendors round to one decimal: allow 3%.
  const ModelSpec m = load(p.repo);
  const double active = counts.active + (p.counts_input_embedding ? m.vocab_size * m.hidden_size : 0.0);
  if (p.active_b > 0) {
    EXPECT_NEAR(active / 1e9, p.active_b, 0.03 * p.active_b) << p.source;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Families, PublishedCounts,
    ::testing::Values(
        PublishedCount{"meta-llama/Llama-3.2-1B", 1.236, 0, "HF safetensors: 1,235,814,400 params"},
        PublishedCount{"meta-llama/Llama-3.2-3B", 3.213, 0, "HF safetensors: 3,212,749,824 params"},
        PublishedCount{"openai/gpt-oss-20b", 20.91, 3.61, "OpenAI gpt-oss model card, table 1"},
        PublishedCount{"Qwen/Qwen3-30B-A3B", 30.5, 3.3, "Qwen3-30B-A3B model card", true},
        PublishedCount{"Qwen/Qwen3-8B", 8.2, 0, "Qwen3-8B model card"},
        PublishedCount{"deepseek-ai/DeepSeek-V2-Lite", 15.7, 2.4, "DeepSeek-V2 paper, V2-Lite"},
        PublishedCount{"mistralai/Mixtral-8x7B-v0.1", 46.7, 12.9, "Mistral AI, 'Mixtral of experts' (2023-12)"}),
    [](const auto& info) {
      std::string name = info.param.repo.substr(info.param.repo.find('/') + 1);
      for (auto& c : name) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

TEST(HfConfig, TiedEmbeddingsCountTheTableOnce) {
  const ModelSpec m = load("meta-llama/Llama-3.2-1B");
  EXPECT_TRUE(m.tied_embeddings);
  EXPECT_DOUBLE_EQ(param_counts(m).embedding, 128256.0 * 2048.0);
}

TEST(HfConfig, GptOssAlternatesSlidingWindowLayersAndQuantizesExperts) {
  const ModelSpec m = load("openai/gpt-oss-20b");
  ASSERT_EQ(m.layers.size(), 24u);
  EXPECT_EQ(m.layers[0].scope, AttentionScope::sliding_window);
  EXPECT_DOUBLE_EQ(m.layers[0].window_tokens, 128);
  EXPECT_EQ(m.layers[1].scope, AttentionScope::full);
  EXPECT_EQ(m.attention.head_dim, 64);  // explicit head_dim, not hidden / heads
  EXPECT_EQ(m.checkpoint.group_precision.at("routed_experts"), "mxfp4");
}

TEST(HfConfig, MlaCachesTheLatentAndRopeKey) {
  const ModelSpec m = load("deepseek-ai/DeepSeek-V2-Lite");
  EXPECT_EQ(m.attention.kind, AttentionKind::mla);
  EXPECT_EQ(m.attention.q_lora_rank, 0);
  const Precision bf16 = test::catalog().precisions.get("bf16", "test");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m, bf16), (512 + 64) * 27 * 2.0);
  EXPECT_FALSE(m.layers[0].ffn.moe);  // first_k_dense_replace = 1
  EXPECT_TRUE(m.layers[1].ffn.moe);
  EXPECT_DOUBLE_EQ(m.layers[1].ffn.shared_intermediate, 2 * 1408.0);
}

TEST(HfConfig, DeepSeekV3CountsItsMtpModule) {
  const ModelSpec m = test::catalog().model("deepseek-v3");
  EXPECT_EQ(m.num_decoder_layers(), 61);
  EXPECT_EQ(m.layers.size(), 62u);
  EXPECT_TRUE(m.layers.back().multi_token_prediction);
  EXPECT_GT(param_counts(m).mtp, 11e9);
}

TEST(HfConfig, Llama4InterleavesMoeAndChunksRopeLayers) {
  const ModelSpec m = test::catalog().model("llama-4-maverick");
  ASSERT_EQ(m.layers.size(), 48u);
  EXPECT_FALSE(m.layers[0].ffn.moe);
  EXPECT_TRUE(m.layers[1].ffn.moe);
  EXPECT_EQ(m.layers[0].scope, AttentionScope::chunked);
  EXPECT_EQ(m.layers[3].scope, AttentionScope::full);  // every 4th layer is global NoPE
  EXPECT_DOUBLE_EQ(m.layers[1].ffn.shared_intermediate, 8192);
}

TEST(HfConfig, MixtralHasNoWindowAndNoDenseLayers) {
  const ModelSpec m = load("mistralai/Mixtral-8x7B-v0.1");
  for (const auto& layer : m.layers) {
    EXPECT_TRUE(layer.ffn.moe);
    EXPECT_EQ(layer.scope, AttentionScope::full);
  }
}

struct BadConfig {
  std::string file;
  std::string expected;  // substring of the message
};
void PrintTo(const BadConfig& b, std::ostream* os) { *os << b.file; }

class BadConfigs : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigs, NameFileAndKey) {
  const std::string path = test::data_path("bad_configs/" + GetParam().file);
  try {
    load_hf_config(path);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(GetParam().file), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rejects, BadConfigs,
    ::testing::Values(BadConfig{"missing_hidden_size.json", "key 'hidden_size': missing"},
                      BadConfig{"zero_layers.json", "key 'num_hidden_layers': expected a whole number in [1, 4096], got 0"},
                      BadConfig{"string_heads.json", "key 'num_attention_heads': expected a number, got string"},
                      BadConfig{"kv_heads_not_dividing.json", "key 'num_key_value_heads': must divide"},
                      BadConfig{"malformed.json", "malformed JSON"},
                      BadConfig{"number_overflow.json", "malformed JSON"},  // 1e999: out_of_range, not parse_error
                      BadConfig{"moe_without_top_k.json", "key 'num_experts_per_tok': missing"},
                      BadConfig{"unknown_quantization.json", "quantization_config.quant_method': unsupported"},
                      BadConfig{"no_such_file.json", "no such file"}),
    [](const auto& info) {
      std::string name = info.param.file.substr(0, info.param.file.find('.'));
      return name;
    });

}  // namespace
}  // namespace ws
