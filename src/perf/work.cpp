#include "perf/work.h"

#include <algorithm>
#include <cmath>

namespace ws {

namespace {
double sum_over(const std::vector<PhaseWork>& phases, double PhaseWork::*field) {
  double total = 0;
  for (const auto& p : phases) total += p.*field;
  return total;
}
}  // namespace

double LayerWork::weight_bytes_resident() const { return sum_over(phases, &PhaseWork::weight_bytes_resident); }
double LayerWork::weight_bytes_read() const { return sum_over(phases, &PhaseWork::weight_bytes_read); }
double LayerWork::kv_bytes_read() const { return sum_over(phases, &PhaseWork::kv_bytes_read); }
double LayerWork::flops() const { return sum_over(phases, &PhaseWork::flops); }
double StepWork::weight_bytes_resident() const {
  double total = embedding.weight_bytes_resident + head.weight_bytes_resident;
  for (const auto& l : layers) total += l.weight_bytes_resident();
  return total;
}
double StepWork::flops() const {
  double total = head.flops;
  for (const auto& l : layers) total += l.flops();
  return total;
}

double expected_experts_touched(double experts, double per_token, double tokens) {
  if (experts <= 0) return 0;
  return experts * (1.0 - std::pow(1.0 - per_token / experts, tokens));
}

namespace {

// Tokens of context each new token attends to, on average, in a layer of this scope.
double attended_tokens(const LayerSpec& layer, double context, bool honor_windows) {
  if (!honor_windows || layer.scope == AttentionScope::full) return context;
  return std::min(context, layer.window_tokens);
}

PhaseWork weights_phase(const std::string& name, double params, double bytes_per_param, double tokens) {
  PhaseWork p;
  p.name = name;
  p.weight_bytes_read = params * bytes_per_param;
  p.weight_bytes_resident = p.weight_bytes_read;
  p.flops = 2.0 * params * tokens;
  return p;
}

StepWork build(const ModelSpec& model, const WeightFormat& w, const Precision& kv, double sequences, double tokens,
               double context, bool honor_windows, bool causal_prefill) {
  StepWork step;
  step.sequences = sequences;
  step.tokens = tokens;
  step.context_tokens = context;
  step.prefill = causal_prefill;
  step.compute_class = w.compute_class;
  step.hidden_size = model.hidden_size;
  const double h = model.hidden_size;
  const double act = step.activation_bytes_per_element;
  const AttentionSpec& a = model.attention;
  const double kv_per_token_layer =
      a.kind == AttentionKind::mla ? (a.kv_lora_rank + a.qk_rope_head_dim) * kv.bytes_per_element()
                                   : static_cast<double>(a.kv_heads) * (a.head_dim + a.v_head_dim) * kv.bytes_per_element();
  for (const auto& layer : model.layers) {
    if (layer.multi_token_prediction) continue;
    const LayerParams p = layer_params(model, layer);
    LayerWork work;
    // Attention projections. MLA keeps its low-rank up-projections with the output side (absorbed form).
    double in_proj = 0, out_proj = 0;
    if (a.kind == AttentionKind::mla) {
      const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
      in_proj = (a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * a.heads * qk : h * a.heads * qk) +
                h * (a.kv_lora_rank + a.qk_rope_head_dim);
      out_proj = p.attention - in_proj;
    } else {
      in_proj = h * (a.heads + a.kv_heads) * a.head_dim + h * a.kv_heads * a.v_head_dim;
      out_proj = p.attention - in_proj;
    }
    work.phases.push_back(weights_phase("qkv", in_proj, w.attention, tokens));
    // Attention over the cache: scores (q.k) and weighted sum (p.v), 2 FLOPs per multiply-add.
    const double attended = attended_tokens(layer, context, honor_windows);
    // Causal prefill: token i attends to past + i tokens, on average past + tokens/2.
    const double mean_attended = causal_prefill ? std::min(attended, context - tokens / 2.0) : attended;
    PhaseWork attention;
    attention.name = "attention";
    const double qk_dim = a.kind == AttentionKind::mla ? a.kv_lora_rank + a.qk_rope_head_dim : a.head_dim;
    const double v_dim = a.kind == AttentionKind::mla ? a.kv_lora_rank : a.v_head_dim;
    attention.flops = 2.0 * tokens * mean_attended * a.heads * (qk_dim + v_dim);
    // Decode reads every sequence's cache once; a prefill chunk reads the past once and writes its own.
    attention.kv_bytes_read = sequences * std::min(attended, context) * kv_per_token_layer;
    attention.kv_bytes_written = tokens * kv_per_token_layer;
    work.phases.push_back(attention);
    PhaseWork o = weights_phase("o_proj", out_proj, w.attention, tokens);
    o.ends_with_tp_reduction = true;
    o.activation_bytes_out = tokens * h * act;
    work.phases.push_back(o);
    if (layer.ffn.moe) {
      const FfnSpec& f = layer.ffn;
      PhaseWork router = weights_phase("router", p.router, w.router, tokens);
      work.phases.push_back(router);
      const double expert_params = p.routed_experts / f.experts;
      const double touched = expected_experts_touched(f.experts, f.experts_per_token, tokens);
      const double up_share = 2.0 / 3.0;  // gate + up of a gated expert; down is the other third
      PhaseWork up;
      up.name = "experts_up";
      up.weight_bytes_read = (touched * expert_params * w.routed_experts + p.shared_experts * w.shared_experts) * up_share;
      up.weight_bytes_resident = (p.routed_experts * w.routed_experts + p.shared_experts * w.shared_experts) * up_share;
      up.flops = 2.0 * tokens * (f.experts_per_token * expert_params + p.shared_experts) * up_share;
      up.expert_dispatch = true;
      up.experts_touched = touched;
      up.experts = f.experts;
      up.experts_per_token = f.experts_per_token;
      up.activation_bytes_out = tokens * f.experts_per_token * h * act;
      PhaseWork down = up;
      down.name = "experts_down";
      down.weight_bytes_read = up.weight_bytes_read / 2.0;
      down.weight_bytes_resident = up.weight_bytes_resident / 2.0;
      down.flops = up.flops / 2.0;
      down.ends_with_tp_reduction = true;
      down.activation_bytes_out = tokens * h * act;
      work.phases.push_back(up);
      work.phases.push_back(down);
    } else {
      PhaseWork up = weights_phase("ffn_up", p.dense_ffn * 2.0 / 3.0, w.dense_ffn, tokens);
      PhaseWork down = weights_phase("ffn_down", p.dense_ffn / 3.0, w.dense_ffn, tokens);
      down.ends_with_tp_reduction = true;
      down.activation_bytes_out = tokens * h * act;
      work.phases.push_back(up);
      work.phases.push_back(down);
    }
    step.layers.push_back(std::move(work));
  }
  step.embedding.name = "embedding";
  step.embedding.weight_bytes_resident = input_embedding_bytes(model, w);
  step.embedding.weight_bytes_read = tokens * h * w.embedding;
  // Logits for the last position of each sequence (every position when verifying drafted tokens).
  step.head = weights_phase("lm_head", model.vocab_size * h, w.embedding, causal_prefill ? sequences : tokens);
  step.head.weight_bytes_resident = output_head_bytes(model, w);
  return step;
}

}  // namespace

StepWork decode_work(const ModelSpec& model, const WeightFormat& weights, const Precision& kv, double sequences,
                     double context_tokens, bool honor_windows, double tokens_per_sequence) {
  return build(model, weights, kv, sequences, sequences * tokens_per_sequence, context_tokens, honor_windows, false);
}

StepWork prefill_work(const ModelSpec& model, const WeightFormat& weights, const Precision& kv, double tokens,
                      double past_tokens, bool honor_windows) {
  return build(model, weights, kv, 1, tokens, past_tokens + tokens, honor_windows, true);
}

}  // namespace ws
