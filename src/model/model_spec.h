#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ws {

enum class AttentionKind { gqa, mla };  // gqa covers MHA (kv_heads == heads) and MQA (kv_heads == 1)
enum class AttentionScope { full, sliding_window, chunked };

struct AttentionSpec {
  AttentionKind kind = AttentionKind::gqa;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;     // per-head q/k dimension (GQA); for MLA: qk_nope + qk_rope
  int v_head_dim = 0;   // per-head v dimension
  bool bias = false;    // q/k/v/o biases (gpt-oss, GLM, Qwen2)
  bool qk_norm = false; // per-head RMSNorm on q and k (Qwen3)
  // MLA (DeepSeek V2/V3): the KV cache stores the compressed latent plus the shared rope key.
  int q_lora_rank = 0;  // 0 = q projected directly
  int kv_lora_rank = 0;
  int qk_rope_head_dim = 0;
  int qk_nope_head_dim = 0;
  int sinks = 0;        // learned per-head attention sinks (gpt-oss)
};

struct FfnSpec {
  bool moe = false;
  double dense_intermediate = 0;   // gated MLP (SwiGLU) width for dense layers
  int experts = 0;                 // routed experts
  int experts_per_token = 0;
  double expert_intermediate = 0;
  double shared_intermediate = 0;  // total width of shared experts (n_shared * width), 0 = none
  bool expert_bias = false;        // gpt-oss experts carry biases
  int router_bias_terms = 0;       // router bias / score-correction bias entries
};

struct LayerSpec {
  AttentionScope scope = AttentionScope::full;
  double window_tokens = 0;  // sliding window or chunk size; 0 for full attention
  FfnSpec ffn;
  bool multi_token_prediction = false;  // an MTP module (DeepSeek V3 num_nextn_predict_layers)
};

// Which precision each parameter group is stored in by the published checkpoint.
struct CheckpointFormat {
  std::string default_precision = "bf16";             // torch_dtype
  std::map<std::string, std::string> group_precision;  // group -> precision, e.g. "routed_experts" -> "mxfp4"
  std::string describe;                                // "mxfp4 routed experts, bf16 rest"
};

// Published aggregate figures for models without a public config (DeepSeek V4, Llama 4 Behemoth).
struct AggregateFigures {
  double total_params = 0;
  double active_params = 0;
  double attention_params = 0;
  double ffn_params = 0;
  double checkpoint_bytes = 0;
  double kv_bytes_per_token = 0;  // at kv_precision
  std::string kv_precision;
  double kv_bytes_per_element = 0;  // of kv_precision, to rescale to another KV precision
  int num_layers = 0;  // 0 = not published
};

struct ModelSpec {
  std::string name;          // catalog key or the config's folder name
  std::string display_name;
  std::string source;        // where the config (or aggregate) came from
  std::string config_path;   // empty for aggregates
  std::string model_type;    // HF model_type
  std::optional<AggregateFigures> aggregate;

  double hidden_size = 0;
  double vocab_size = 0;
  bool tied_embeddings = false;
  double max_context_tokens = 0;
  AttentionSpec attention;
  std::vector<LayerSpec> layers;  // decoder layers, then any MTP modules
  CheckpointFormat checkpoint;

  bool is_aggregate() const { return aggregate.has_value(); }
  int num_decoder_layers() const {
    int n = 0;
    for (const auto& layer : layers) n += layer.multi_token_prediction ? 0 : 1;
    return n;
  }
  int mtp_modules() const { return static_cast<int>(layers.size()) - num_decoder_layers(); }
  bool is_moe() const {
    for (const auto& layer : layers)
      if (layer.ffn.moe) return true;
    return false;
  }
};

std::string to_string(AttentionKind kind);
std::string to_string(AttentionScope scope);

}  // namespace ws
