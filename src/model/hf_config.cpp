#include "model/hf_config.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"

namespace ws {
namespace {

using nlohmann::json;

// Reads keys of one config object, naming the file and key in every error.
class ConfigReader {
 public:
  ConfigReader(const json& object, std::string file, std::string prefix)
      : object_(object), file_(std::move(file)), prefix_(std::move(prefix)) {}

  std::string where(const std::string& key) const { return file_ + ": key '" + prefix_ + key + "'"; }
  bool has(const std::string& key) const { return object_.contains(key) && !object_.at(key).is_null(); }

  double positive(const std::string& key) const {
    if (!has(key)) throw InputError(where(key), "missing (expected a positive number)");
    return positive_value(key);
  }
  double optional_positive(const std::string& key, double fallback) const {
    return has(key) ? positive_value(key) : fallback;
  }
  double optional_non_negative(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const double value = number(key);
    if (value < 0) throw InputError(where(key), fmt::format("expected a number >= 0, got {}", value));
    return value;
  }
  bool optional_bool(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_boolean()) throw InputError(where(key), "expected true or false");
    return object_.at(key).get<bool>();
  }
  std::string optional_string(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!object_.at(key).is_string()) throw InputError(where(key), "expected a string");
    return object_.at(key).get<std::string>();
  }
  const json& at(const std::string& key) const { return object_.at(key); }

  // A count (heads, layers, experts, ...): a whole number in [minimum, maximum]. Fractional values are rejected,
  // not rounded: 0.4 heads rounded to 0 used to reach a division.
  int count(const std::string& key, long long minimum, long long maximum) const {
    if (!has(key)) throw InputError(where(key), fmt::format("missing (expected a whole number in [{}, {}])", minimum, maximum));
    return count_value(key, minimum, maximum);
  }
  int optional_count(const std::string& key, int fallback, long long minimum, long long maximum) const {
    return has(key) ? count_value(key, minimum, maximum) : fallback;
  }

 private:
  int count_value(const std::string& key, long long minimum, long long maximum) const {
    const double value = number(key);
    if (value != std::floor(value))
      throw InputError(where(key), fmt::format("expected a whole number, got {}", value));
    if (value < static_cast<double>(minimum) || value > static_cast<double>(maximum))
      throw InputError(where(key), fmt::format("expected a whole number in [{}, {}], got {}", minimum, maximum, value));
    return static_cast<int>(value);
  }
  double number(const std::string& key) const {
    const json& value = object_.at(key);
    if (!value.is_number()) throw InputError(where(key), "expected a number, got " + std::string(value.type_name()));
    const double number = value.get<double>();
    if (!std::isfinite(number)) throw InputError(where(key), "expected a finite number");
    return number;
  }
  double positive_value(const std::string& key) const {
    const double value = number(key);
    if (!(value > 0)) throw InputError(where(key), fmt::format("expected a positive number, got {}", value));
    return value;
  }

  const json& object_;
  std::string file_;
  std::string prefix_;
};

// Caps on counts read from a config.json. They bound memory and loops, each far beyond any released model:
// the largest in the catalog has 128 attention heads, 94 layers, 384 experts, hidden 16,384, vocab 256k,
// 1M positions. A config beyond them is a typo or an attack, not a model.
constexpr long long max_heads = 4096;             // 32x the most heads of any released model
constexpr long long max_layers = 4096;            // 40x the deepest released LLM
constexpr long long max_experts = 65536;          // 170x the most experts of any released MoE
constexpr long long max_width = 1 << 20;          // hidden/intermediate/head sizes: 64x the widest released model
constexpr long long max_vocab = 1LL << 24;        // 16.7M tokens: 64x the largest vocabulary
constexpr long long max_positions = 100'000'000;  // 1e8 tokens of context: 100x the longest-context model

std::vector<int> int_list(const ConfigReader& reader, const std::string& key) {
  std::vector<int> result;
  if (!reader.has(key)) return result;
  const json& value = reader.at(key);
  if (!value.is_array()) throw InputError(reader.where(key), "expected a list of integers");
  for (const auto& item : value) {
    if (item.is_boolean()) result.push_back(item.get<bool>() ? 1 : 0);
    else if (item.is_number_integer() && item.get<long long>() >= -max_layers && item.get<long long>() <= max_layers)
      result.push_back(static_cast<int>(item.get<long long>()));
    else throw InputError(reader.where(key), "expected a list of integers");
    if (result.size() > static_cast<std::size_t>(max_layers))
      throw InputError(reader.where(key), fmt::format("expected at most {} items", max_layers));
  }
  return result;
}

AttentionSpec read_attention(const ConfigReader& reader, double hidden_size, const std::string& model_type) {
  AttentionSpec attention;
  attention.heads = reader.count("num_attention_heads", 1, max_heads);
  attention.kv_heads = reader.optional_count("num_key_value_heads", attention.heads, 1, max_heads);
  if (attention.heads % attention.kv_heads != 0)
    throw InputError(reader.where("num_key_value_heads"),
                     fmt::format("must divide num_attention_heads ({}), got {}", attention.heads, attention.kv_heads));
  attention.bias = reader.optional_bool("attention_bias", reader.optional_bool("qkv_bias", false));
  if (model_type == "qwen2" || model_type == "qwen2_moe") attention.bias = true;  // Qwen2 always has q/k/v bias
  // Llama 4's qk norm is a parameter-free L2 norm; Qwen3 and GLM carry RMSNorm weights.
  attention.qk_norm = model_type == "qwen3" || model_type == "qwen3_moe" ||
                      (model_type != "llama4" && reader.optional_bool("use_qk_norm", false));

  if (reader.has("kv_lora_rank")) {
    attention.kind = AttentionKind::mla;
    attention.kv_lora_rank = reader.count("kv_lora_rank", 1, max_width);
    attention.q_lora_rank = reader.optional_count("q_lora_rank", 0, 0, max_width);
    attention.qk_rope_head_dim = reader.count("qk_rope_head_dim", 1, max_width);
    attention.qk_nope_head_dim = reader.count("qk_nope_head_dim", 1, max_width);
    attention.v_head_dim = reader.count("v_head_dim", 1, max_width);
    attention.head_dim = attention.qk_nope_head_dim + attention.qk_rope_head_dim;
    attention.kv_heads = attention.heads;  // after up-projection every head has its own K and V
    return attention;
  }
  // An explicit head_dim wins over hidden/heads (gpt-oss: 64 with hidden 2880; Qwen3: 128).
  if (reader.has("head_dim")) {
    attention.head_dim = reader.count("head_dim", 1, max_width);
  } else {
    const double head_dim = hidden_size / attention.heads;
    if (head_dim != std::floor(head_dim) || head_dim < 1)
      throw InputError(reader.where("head_dim"),
                       fmt::format("missing, and hidden_size / num_attention_heads = {} is not a whole number", head_dim));
    attention.head_dim = static_cast<int>(head_dim);
  }
  attention.v_head_dim = attention.head_dim;
  if (model_type == "gpt_oss") attention.sinks = attention.heads;
  return attention;
}

// Per-layer attention scope: layer_types (gpt-oss, newer HF), Llama 4 chunked attention on RoPE layers,
// Mistral-style sliding window on every layer, Qwen's use_sliding_window switch.
std::vector<std::pair<AttentionScope, double>> read_scopes(const ConfigReader& reader, int num_layers,
                                                           const std::string& model_type) {
  std::vector<std::pair<AttentionScope, double>> scopes(num_layers, {AttentionScope::full, 0});
  const double window = reader.optional_count("sliding_window", 0, 0, max_positions);
  if (reader.has("layer_types")) {
    const json& types = reader.at("layer_types");
    if (!types.is_array() || static_cast<int>(types.size()) < num_layers)
      throw InputError(reader.where("layer_types"),
                       fmt::format("expected a list of {} layer types", num_layers));
    for (int i = 0; i < num_layers; ++i) {
      if (!types[i].is_string()) throw InputError(reader.where("layer_types"), "expected strings");
      const std::string type = types[i].get<std::string>();
      if (type == "sliding_attention") {
        if (window <= 0) throw InputError(reader.where("sliding_window"), "missing, but layer_types has sliding_attention");
        scopes[i] = {AttentionScope::sliding_window, window};
      } else if (type == "chunked_attention") {
        scopes[i] = {AttentionScope::chunked, static_cast<double>(reader.count("attention_chunk_size", 1, max_positions))};
      } else if (type == "full_attention") {
        scopes[i] = {AttentionScope::full, 0};
      } else {
        throw InputError(reader.where("layer_types"),
                         "unknown layer type '" + type + "' (expected full_attention, sliding_attention, chunked_attention)");
      }
    }
    return scopes;
  }
  if (model_type == "llama4" && reader.has("attention_chunk_size")) {
    // Llama 4: RoPE layers use chunked attention, every 4th layer is a global NoPE layer
    // (no_rope_layers[i] == 1 means layer i uses RoPE; HF Llama4TextConfig default pattern).
    const double chunk = reader.count("attention_chunk_size", 1, max_positions);
    std::vector<int> rope = int_list(reader, "no_rope_layers");
    const int interval = reader.optional_count("nope_layer_interval", 4, 1, max_layers);
    for (int i = 0; i < num_layers; ++i) {
      const bool uses_rope = rope.empty() ? ((i + 1) % interval != 0) : (i < static_cast<int>(rope.size()) && rope[i] != 0);
      if (uses_rope) scopes[i] = {AttentionScope::chunked, chunk};
    }
    return scopes;
  }
  const bool sliding_switch = reader.optional_bool("use_sliding_window", true);
  if (window > 0 && sliding_switch) {
    // Qwen2: layers from max_window_layers on use the window; Mistral: all layers.
    const int first = reader.has("use_sliding_window") ? reader.optional_count("max_window_layers", 0, 0, max_layers) : 0;
    for (int i = first; i < num_layers; ++i) scopes[i] = {AttentionScope::sliding_window, window};
  }
  return scopes;
}

std::vector<bool> read_moe_layers(const ConfigReader& reader, int num_layers, const std::string& model_type) {
  std::vector<bool> moe(num_layers, true);
  if (reader.has("moe_layers")) {  // explicit list of MoE layer indices (Llama 4)
    std::fill(moe.begin(), moe.end(), false);
    for (int index : int_list(reader, "moe_layers"))
      if (index >= 0 && index < num_layers) moe[index] = true;
    return moe;
  }
  if (model_type == "llama4") {  // moe_layers = range(step - 1, L, step)
    const int step = reader.optional_count("interleave_moe_layer_step", 1, 1, max_layers);
    for (int i = 0; i < num_layers; ++i) moe[i] = (i + 1) % step == 0;
    return moe;
  }
  const int first_dense = reader.optional_count("first_k_dense_replace", 0, 0, max_layers);
  const int frequency = reader.optional_count("moe_layer_freq", 1, 1, max_layers);
  const int sparse_step = reader.optional_count("decoder_sparse_step", 1, 1, max_layers);
  std::set<int> mlp_only;
  for (int index : int_list(reader, "mlp_only_layers")) mlp_only.insert(index);
  for (int i = 0; i < num_layers; ++i) {
    bool is_moe = i >= first_dense && (i % frequency == 0);
    if (reader.has("decoder_sparse_step")) is_moe = is_moe && ((i + 1) % sparse_step == 0);
    if (mlp_only.count(i)) is_moe = false;
    moe[i] = is_moe;
  }
  return moe;
}

CheckpointFormat read_checkpoint_format(const ConfigReader& reader, const std::string& file) {
  CheckpointFormat format;
  const std::string dtype = reader.optional_string("torch_dtype", reader.optional_string("dtype", "bfloat16"));
  if (dtype == "bfloat16") format.default_precision = "bf16";
  else if (dtype == "float16") format.default_precision = "fp16";
  else if (dtype == "float32") format.default_precision = "fp32";
  else throw InputError(reader.where("torch_dtype"), "unsupported dtype '" + dtype + "' (expected bfloat16, float16, float32)");
  format.describe = format.default_precision;
  if (!reader.has("quantization_config")) return format;
  const json& quantization = reader.at("quantization_config");
  if (!quantization.is_object()) throw InputError(reader.where("quantization_config"), "expected an object");
  ConfigReader q(quantization, file, "quantization_config.");
  const std::string method = q.optional_string("quant_method", "");
  if (method == "mxfp4") {
    // gpt-oss: MoE expert weights in MXFP4, everything listed in modules_to_not_convert stays bf16.
    format.group_precision["routed_experts"] = "mxfp4";
    format.describe = "mxfp4 routed experts, " + format.default_precision + " rest";
  } else if (method == "fp8") {
    // DeepSeek V3 / Kimi K2: block-scaled FP8 for every linear layer; embeddings, norms, router stay bf16.
    for (const char* group : {"attention", "dense_ffn", "routed_experts", "shared_experts"})
      format.group_precision[group] = "fp8";
    format.describe = "fp8 linear layers, " + format.default_precision + " embeddings/norms/router";
  } else if (method.empty()) {
    throw InputError(q.where("quant_method"), "missing in quantization_config");
  } else {
    throw InputError(q.where("quant_method"), "unsupported quantization method '" + method + "' (supported: fp8, mxfp4)");
  }
  return format;
}

}  // namespace

ModelSpec parse_hf_config(const json& root, const std::string& file) {
  if (!root.is_object()) throw InputError(file, "expected a JSON object at the top level");
  // Multimodal configs (Llama 4) nest the language model under text_config.
  const bool nested = root.contains("text_config") && root.at("text_config").is_object() && !root.contains("hidden_size");
  const json& text = nested ? root.at("text_config") : root;
  ConfigReader reader(text, file, nested ? "text_config." : "");
  ConfigReader top(root, file, "");

  ModelSpec spec;
  spec.config_path = file;
  spec.model_type = reader.optional_string("model_type", top.optional_string("model_type", ""));
  if (spec.model_type == "llama4_text") spec.model_type = "llama4";
  spec.hidden_size = reader.count("hidden_size", 1, max_width);
  spec.vocab_size = reader.count("vocab_size", 1, max_vocab);
  const int num_layers = reader.count("num_hidden_layers", 1, max_layers);
  spec.tied_embeddings = reader.optional_bool("tie_word_embeddings", top.optional_bool("tie_word_embeddings", false));
  spec.max_context_tokens = reader.optional_count("max_position_embeddings", 0, 1, max_positions);
  spec.attention = read_attention(reader, spec.hidden_size, spec.model_type);
  spec.checkpoint = read_checkpoint_format(top, file);

  // Expert counts under their several names.
  int experts = 0;
  for (const char* key : {"n_routed_experts", "num_local_experts", "num_experts"})
    if (reader.has(key)) { experts = reader.optional_count(key, 0, 0, max_experts); break; }

  FfnSpec dense;
  const bool dense_needed = experts == 0 || reader.has("first_k_dense_replace") || spec.model_type == "llama4" ||
                            reader.has("mlp_only_layers") || reader.has("moe_layer_freq");
  if (spec.model_type == "llama4") dense.dense_intermediate = reader.count("intermediate_size_mlp", 1, max_width);
  else if (dense_needed) dense.dense_intermediate = reader.count("intermediate_size", 1, max_width);
  else dense.dense_intermediate = reader.optional_count("intermediate_size", 0, 1, max_width);

  FfnSpec moe;
  if (experts > 0) {
    moe.moe = true;
    moe.experts = experts;
    moe.experts_per_token = reader.count("num_experts_per_tok", 1, max_experts);
    if (moe.experts_per_token > experts)
      throw InputError(reader.where("num_experts_per_tok"),
                       fmt::format("{} exceeds the number of experts ({})", moe.experts_per_token, experts));
    moe.expert_intermediate = reader.has("moe_intermediate_size") ? reader.count("moe_intermediate_size", 1, max_width)
                                                                  : reader.count("intermediate_size", 1, max_width);
    if (reader.has("n_shared_experts"))
      moe.shared_intermediate = reader.optional_count("n_shared_experts", 0, 0, max_experts) * moe.expert_intermediate;
    else if (reader.has("shared_expert_intermediate_size"))
      moe.shared_intermediate = reader.optional_count("shared_expert_intermediate_size", 0, 0, max_width);
    else if (spec.model_type == "llama4")
      moe.shared_intermediate = moe.expert_intermediate;  // one shared expert of intermediate_size
    moe.expert_bias = spec.model_type == "gpt_oss";
    if (spec.model_type == "gpt_oss" || reader.optional_string("topk_method", "") == "noaux_tc" ||
        spec.model_type == "glm4_moe")
      moe.router_bias_terms = experts;
  }

  const auto scopes = read_scopes(reader, num_layers, spec.model_type);
  const auto moe_layers = experts > 0 ? read_moe_layers(reader, num_layers, spec.model_type) : std::vector<bool>(num_layers, false);
  for (int i = 0; i < num_layers; ++i) {
    LayerSpec layer;
    layer.scope = scopes[i].first;
    layer.window_tokens = scopes[i].second;
    layer.ffn = moe_layers[i] ? moe : dense;
    spec.layers.push_back(layer);
  }
  // DeepSeek V3-style MTP modules: a full decoder layer (MoE) each, shipped in the checkpoint.
  const int mtp_layers = reader.optional_count("num_nextn_predict_layers", 0, 0, max_layers);
  for (int i = 0; i < mtp_layers; ++i) {
    LayerSpec layer;
    layer.ffn = experts > 0 ? moe : dense;
    layer.multi_token_prediction = true;
    spec.layers.push_back(layer);
  }
  return spec;
}

ModelSpec load_hf_config(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file(path);
  std::error_code error;
  if (fs::is_directory(file, error)) file /= "config.json";
  if (!fs::exists(file, error)) throw InputError(file.string(), "no such file (expected a config.json or a folder holding one)");
  std::ifstream stream(file);
  if (!stream) throw InputError(file.string(), "cannot be read");
  json config;
  try {
    config = json::parse(stream);
  } catch (const json::exception& parse_error) {  // parse_error, and out_of_range for numbers like 1e999
    throw InputError(file.string(), std::string("malformed JSON: ") + parse_error.what());
  }
  ModelSpec spec = parse_hf_config(config, file.string());
  spec.name = file.parent_path().filename().string();
  spec.display_name = spec.name;
  spec.source = file.string();
  return spec;
}

}  // namespace ws
