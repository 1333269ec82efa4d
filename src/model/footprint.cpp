#include "model/footprint.h"

#include <algorithm>

#include "core/error.h"

namespace ws {

LayerParams layer_params(const ModelSpec& model, const LayerSpec& layer) {
  const double h = model.hidden_size;
  const AttentionSpec& a = model.attention;
  LayerParams p;
  if (a.kind == AttentionKind::mla) {
    const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * a.heads * qk
                                       : h * a.heads * qk;
    const double kv_down = h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank;
    const double kv_up = static_cast<double>(a.kv_lora_rank) * a.heads * (a.qk_nope_head_dim + a.v_head_dim);
    const double out = static_cast<double>(a.heads) * a.v_head_dim * h;
    p.attention = q + kv_down + kv_up + out;
  } else {
    const double q = h * a.heads * a.head_dim;
    const double k = h * a.kv_heads * a.head_dim;
    const double v = h * a.kv_heads * a.v_head_dim;
    const double out = static_cast<double>(a.heads) * a.v_head_dim * h;
    p.attention = q + k + v + out;
    if (a.bias) p.attention += a.heads * a.head_dim + a.kv_heads * (a.head_dim + a.v_head_dim);
    if (a.qk_norm) p.attention += 2.0 * a.head_dim;
    p.attention += a.sinks;
  }
  const FfnSpec& f = layer.ffn;
  if (f.moe) {
    // Gated experts: gate and up (h x I each) and down (I x h); gpt-oss adds biases.
    const double expert = 3.0 * h * f.expert_intermediate + (f.expert_bias ? 2.0 * f.expert_intermediate + h : 0.0);
    p.routed_experts = f.experts * expert;
    p.active_routed_experts = f.experts_per_token * expert;
    p.shared_experts = 3.0 * h * f.shared_intermediate;
    p.router = h * f.experts + f.router_bias_terms;
  } else {
    p.dense_ffn = 3.0 * h * f.dense_intermediate;
  }
  p.norms = 2.0 * h;
  // An MTP module adds two norms and the projection of [embedding; hidden] back to hidden (DeepSeek V3).
  if (layer.multi_token_prediction) p.norms += 2.0 * h + 2.0 * h * h;
  return p;
}

ParamCounts param_counts(const ModelSpec& model) {
  ParamCounts counts;
  if (model.aggregate) {
    const auto& g = *model.aggregate;
    counts.total = g.total_params;
    counts.active = g.active_params;
    counts.attention = g.attention_params;
    counts.ffn = g.ffn_params;
    counts.embedding = std::max(0.0, g.total_params - g.attention_params - g.ffn_params);
    return counts;
  }
  const double table = model.vocab_size * model.hidden_size;
  counts.embedding = table * (model.tied_embeddings ? 1.0 : 2.0);
  counts.total = counts.embedding + model.hidden_size;  // + final norm
  counts.active = table + model.hidden_size;            // unembedding is computed per token, the lookup is not
  for (const auto& layer : model.layers) {
    const LayerParams p = layer_params(model, layer);
    counts.total += p.total();
    counts.attention += p.attention;
    counts.ffn += p.ffn();
    if (layer.multi_token_prediction) counts.mtp += p.total();
    else counts.active += p.active();
  }
  return counts;
}

WeightFormat uniform_weight_format(const Precision& precision) {
  const double b = precision.bytes_per_element();
  return WeightFormat{precision.name, precision.compute_class, b, b, b, b, b, b, b};
}

WeightFormat checkpoint_weight_format(const ModelSpec& model, const PrecisionTable& precisions) {
  const std::string where = model.config_path.empty() ? model.name : model.config_path;
  if (model.aggregate) {  // only the published total is known: spread it evenly over the parameters
    const double bytes_per_param = model.aggregate->checkpoint_bytes / model.aggregate->total_params;
    WeightFormat format{"checkpoint (published size)", "fp8", bytes_per_param, bytes_per_param, bytes_per_param,
                        bytes_per_param, bytes_per_param, bytes_per_param, bytes_per_param};
    return format;
  }
  const CheckpointFormat& c = model.checkpoint;
  const double base = precisions.get(c.default_precision, where).bytes_per_element();
  auto group = [&](const std::string& name) {
    auto it = c.group_precision.find(name);
    return it == c.group_precision.end() ? base : precisions.get(it->second, where).bytes_per_element();
  };
  // Matmuls run at the precision most of the active weights are stored in: the experts' for MoE models.
  auto it = c.group_precision.find(model.is_moe() ? "routed_experts" : "attention");
  const std::string bulk = it == c.group_precision.end() ? c.default_precision : it->second;
  WeightFormat format{"checkpoint (" + c.describe + ")", precisions.get(bulk, where).compute_class,
                      group("attention"), group("dense_ffn"), group("routed_experts"), group("shared_experts"),
                      base, base, base};
  return format;
}

WeightFormat weight_format(const ModelSpec& model, const std::string& choice, const PrecisionTable& precisions,
                           const std::string& where) {
  if (to_lower(choice) == "checkpoint") return checkpoint_weight_format(model, precisions);
  const auto slash = choice.find('/');
  if (slash == std::string::npos) return uniform_weight_format(precisions.get(choice, where));
  const Precision& experts = precisions.get(choice.substr(0, slash), where);
  WeightFormat format = uniform_weight_format(precisions.get(choice.substr(slash + 1), where));
  format.name = experts.name + " experts, " + format.name + " rest";
  format.routed_experts = format.shared_experts = experts.bytes_per_element();
  if (model.is_moe()) format.compute_class = experts.compute_class;
  return format;
}

double layer_weight_bytes(const ModelSpec& model, const LayerSpec& layer, const WeightFormat& f) {
  const LayerParams p = layer_params(model, layer);
  return p.attention * f.attention + p.dense_ffn * f.dense_ffn + p.routed_experts * f.routed_experts +
         p.shared_experts * f.shared_experts + p.router * f.router + p.norms * f.norms;
}

double input_embedding_bytes(const ModelSpec& model, const WeightFormat& f) {
  return model.vocab_size * model.hidden_size * f.embedding;
}

double output_head_bytes(const ModelSpec& model, const WeightFormat& f) {
  return model.vocab_size * model.hidden_size * f.embedding + model.hidden_size * f.norms;
}

double weight_bytes(const ModelSpec& model, const WeightFormat& f) {
  if (model.aggregate) return param_counts(model).total * f.embedding;  // aggregates: one precision for all
  double total = input_embedding_bytes(model, f) + model.hidden_size * f.norms;
  if (!model.tied_embeddings) total += model.vocab_size * model.hidden_size * f.embedding;
  for (const auto& layer : model.layers) total += layer_weight_bytes(model, layer, f);
  return total;
}

namespace {
double kv_bytes_per_token_per_layer(const ModelSpec& model, const Precision& kv) {
  const AttentionSpec& a = model.attention;
  // MLA caches the compressed latent and the shared rope key: (kv_lora_rank + qk_rope_head_dim) per token.
  if (a.kind == AttentionKind::mla) return (a.kv_lora_rank + a.qk_rope_head_dim) * kv.bytes_per_element();
  return static_cast<double>(a.kv_heads) * (a.head_dim + a.v_head_dim) * kv.bytes_per_element();
}
}  // namespace

double kv_bytes_per_token(const ModelSpec& model, const Precision& kv) {
  if (model.aggregate)  // published at its own precision; rescale to the one asked for
    return model.aggregate->kv_bytes_per_token * kv.bytes_per_element() / model.aggregate->kv_bytes_per_element;
  return kv_bytes_per_token_per_layer(model, kv) * model.num_decoder_layers();
}

double kv_bytes_for_context(const ModelSpec& model, const Precision& kv, double context_tokens, bool honor_windows) {
  if (model.aggregate) return kv_bytes_per_token(model, kv) * context_tokens;
  const double per_layer = kv_bytes_per_token_per_layer(model, kv);
  double total = 0;
  for (const auto& layer : model.layers) {
    if (layer.multi_token_prediction) continue;  // MTP modules are off unless speculative decoding uses them
    const bool windowed = honor_windows && layer.scope != AttentionScope::full;
    total += per_layer * (windowed ? std::min(context_tokens, layer.window_tokens) : context_tokens);
  }
  return total;
}

}  // namespace ws
