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
  for (std::size_t i = 0; i < layers.size(); ++i) total += layer(static_cast<int>(i)).weight_bytes_resident();
  return total;
}
double StepWork::flops() const {
  double total = head.flops;
  for (std::size_t i = 0; i < layers.size(); ++i) total += layer(static_cast<int>(i)).flops();
  return total;
}

double expected_experts_touched(double experts, double per_token, double tokens) {
  if (experts <= 0) return 0;
  return experts * (1.0 - std::pow(1.0 - per_token / experts, tokens));
}

double expected_busiest_group_experts(double experts, double touched, int groups) {
  if (groups <= 1 || experts <= 0) return touched;
  const int m = std::max(1, static_cast<int>(std::lround(experts / groups)));
  const double p = std::clamp(touched / experts, 0.0, 1.0);
  if (p <= 0) return 0;
  if (p >= 1) return m;
  // pmf(0) = (1 - p)^m, pmf(j + 1) = pmf(j) (m - j) / (j + 1) p / (1 - p); stop once the CDF is 1 to rounding.
  double pmf = std::pow(1.0 - p, m), cdf = 0, expected_max = 0;
  for (int j = 0; j < m; ++j) {
    cdf += pmf;
    const double tail = 1.0 - std::pow(std::min(cdf, 1.0), groups);
    if (tail < 1e-12) break;
    expected_max += tail;
    pmf *= (m - j) / (j + 1.0) * p / (1.0 - p);
  }
  return expected_max;
}

namespace {

// Tokens of context each new token attends to, on average, in a layer of this scope.
double attended_tokens(const LayerSpec& layer, double context, bool honor_windows) {
  if (!honor_windows || layer.scope == AttentionScope::full) return context;
  return std::min(context, layer.window_tokens);
}

// A dense projection of `depth` inputs to `columns` outputs over `tokens` rows.
PhaseWork weights_phase(const std::string& name, double columns, double depth, double bytes_per_param, double tokens) {
  PhaseWork p;
  p.name = name;
  const double params = columns * depth;
  p.weight_bytes_read = params * bytes_per_param;
  p.weight_bytes_resident = p.weight_bytes_read;
  p.flops = 2.0 * params * tokens;
  p.gemms[0] = PhaseGemm{tokens, columns, depth, params > 0 ? 1.0 : 0.0, false};
  return p;
}

bool same_gemm(const PhaseGemm& a, const PhaseGemm& b) {
  return a.rows == b.rows && a.columns == b.columns && a.depth == b.depth && a.count == b.count && a.experts == b.experts;
}

bool same_phase(const PhaseWork& a, const PhaseWork& b) {
  return a.weight_bytes_read == b.weight_bytes_read && a.weight_bytes_resident == b.weight_bytes_resident &&
         a.kv_bytes_read == b.kv_bytes_read && a.kv_bytes_written == b.kv_bytes_written && a.flops == b.flops &&
         a.activation_bytes_out == b.activation_bytes_out && a.ends_with_tp_reduction == b.ends_with_tp_reduction &&
         a.expert_dispatch == b.expert_dispatch && a.experts_touched == b.experts_touched && a.experts == b.experts &&
         a.experts_per_token == b.experts_per_token && same_gemm(a.gemms[0], b.gemms[0]) &&
         same_gemm(a.gemms[1], b.gemms[1]) && a.tp_splits_columns == b.tp_splits_columns &&
         a.attention_side == b.attention_side && a.attention_kernel == b.attention_kernel && a.kv_heads == b.kv_heads &&
         a.attended_tokens == b.attended_tokens && a.qk_head_dim == b.qk_head_dim;
}

bool same_work(const LayerWork& a, const LayerWork& b) {
  if (a.phases.size() != b.phases.size()) return false;
  for (std::size_t i = 0; i < a.phases.size(); ++i)
    if (!same_phase(a.phases[i], b.phases[i])) return false;
  return true;
}

bool same_kind(const LayerSpec& a, const LayerSpec& b) {
  const FfnSpec& f = a.ffn;
  const FfnSpec& g = b.ffn;
  return a.scope == b.scope && a.window_tokens == b.window_tokens && a.multi_token_prediction == b.multi_token_prediction &&
         f.moe == g.moe && f.dense_intermediate == g.dense_intermediate && f.experts == g.experts &&
         f.experts_per_token == g.experts_per_token && f.expert_intermediate == g.expert_intermediate &&
         f.shared_intermediate == g.shared_intermediate && f.expert_bias == g.expert_bias &&
         f.router_bias_terms == g.router_bias_terms;
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
  const LayerSpec* previous = nullptr;
  for (const auto& layer : model.layers) {
    if (layer.multi_token_prediction) continue;
    // A layer of the same kind as the one before does the same work: copied, not rebuilt (sweeps build
    // millions of steps).
    if (previous && same_kind(*previous, layer)) {
      LayerWork repeat;
      repeat.repeats_previous = true;
      const int last = static_cast<int>(step.layers.size()) - 1;
      repeat.same_as = step.layers.back().same_as >= 0 ? step.layers.back().same_as : last;
      step.layers.push_back(std::move(repeat));
      continue;
    }
    previous = &layer;
    const LayerParams p = layer_params(model, layer);
    LayerWork work;
    work.phases.reserve(7);  // qkv, attention, o_proj, router, up, down (sweeps build millions of these)
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
    // MLA's q and kv down/up projections are several small GEMMs; shaped here as one of the same size.
    PhaseWork qkv = weights_phase("qkv", in_proj / h, h, w.attention, tokens);
    qkv.attention_side = true;
    work.phases.push_back(qkv);
    // Attention over the cache: scores (q.k) and weighted sum (p.v), 2 FLOPs per multiply-add.
    const double attended = attended_tokens(layer, context, honor_windows);
    // Causal prefill: token i attends to past + i tokens, on average past + tokens/2.
    const double mean_attended = causal_prefill ? std::min(attended, context - tokens / 2.0) : attended;
    PhaseWork attention;
    attention.name = "attention";
    attention.attention_side = true;
    attention.attention_kernel = true;
    attention.kv_heads = a.kind == AttentionKind::mla ? 1.0 : a.kv_heads;
    // MLA decodes in the absorbed form (every head attends over the shared latent: rank + rope dims) but
    // prefills in the plain form (per-head 192-dim keys, 128-dim values), after expanding the cached latent
    // of the attended tokens through kv_b_proj (DeepSeek-V2 paper, section 2.1.2; FlashMLA / SGLang MLA).
    const bool absorbed = a.kind == AttentionKind::mla && !causal_prefill;
    const bool expanded = a.kind == AttentionKind::mla && causal_prefill;
    const double qk_dim = absorbed ? a.kv_lora_rank + a.qk_rope_head_dim
                          : expanded ? a.qk_nope_head_dim + a.qk_rope_head_dim : a.head_dim;
    const double v_dim = absorbed ? a.kv_lora_rank : a.v_head_dim;
    attention.flops = 2.0 * tokens * mean_attended * a.heads * (qk_dim + v_dim);
    attention.attention_heads = a.heads;
    attention.qk_head_dim = qk_dim;
    attention.v_head_dim = v_dim;
    attention.attended_tokens = mean_attended;
    attention.kv_element_bytes = kv.bytes_per_element();
    if (expanded)  // kv_b_proj over every attended position: latent -> per-head keys (nope part) and values
      attention.flops += 2.0 * std::min(attended, context) * a.kv_lora_rank * a.heads * (a.qk_nope_head_dim + a.v_head_dim);
    // Decode reads every sequence's cache once; a prefill chunk reads the past once and writes its own.
    attention.kv_bytes_read = sequences * std::min(attended, context) * kv_per_token_layer;
    attention.kv_bytes_written = tokens * kv_per_token_layer;
    work.phases.push_back(attention);
    PhaseWork o = weights_phase("o_proj", h, out_proj / h, w.attention, tokens);
    o.ends_with_tp_reduction = true;
    o.tp_splits_columns = false;
    o.attention_side = true;
    o.activation_bytes_out = tokens * h * act;
    work.phases.push_back(o);
    if (layer.ffn.moe) {
      const FfnSpec& f = layer.ffn;
      PhaseWork router = weights_phase("router", p.router / h, h, w.router, tokens);
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
      up.routed_weight_bytes_read = touched * expert_params * w.routed_experts * up_share;
      up.experts = f.experts;
      up.experts_per_token = f.experts_per_token;
      up.activation_bytes_out = tokens * f.experts_per_token * h * act;
      // Grouped GEMMs: each expert hit multiplies the tokens routed to it (on average tokens x k / hit).
      const double expert_intermediate = expert_params / (3.0 * h);
      const double shared_intermediate = p.shared_experts / (3.0 * h);
      if (touched > 0)
        up.gemms[0] = PhaseGemm{tokens * f.experts_per_token / touched, 2.0 * expert_intermediate, h, touched, true};
      if (shared_intermediate > 0) up.gemms[1] = PhaseGemm{tokens, 2.0 * shared_intermediate, h, 1.0, false};
      PhaseWork down = up;
      down.tp_splits_columns = false;
      for (auto& g : down.gemms) {
        g.depth = g.columns / 2.0;
        g.columns = h;
      }
      down.name = "experts_down";
      down.weight_bytes_read = up.weight_bytes_read / 2.0;
      down.routed_weight_bytes_read = up.routed_weight_bytes_read / 2.0;
      down.weight_bytes_resident = up.weight_bytes_resident / 2.0;
      down.flops = up.flops / 2.0;
      down.ends_with_tp_reduction = true;
      down.activation_bytes_out = tokens * h * act;
      work.phases.push_back(up);
      work.phases.push_back(down);
    } else {
      const double intermediate = p.dense_ffn / (3.0 * h);  // gated: gate + up + down
      PhaseWork up = weights_phase("ffn_up", 2.0 * intermediate, h, w.dense_ffn, tokens);
      PhaseWork down = weights_phase("ffn_down", h, intermediate, w.dense_ffn, tokens);
      down.ends_with_tp_reduction = true;
      down.tp_splits_columns = false;
      down.activation_bytes_out = tokens * h * act;
      work.phases.push_back(up);
      work.phases.push_back(down);
    }
    work.repeats_previous = !step.layers.empty() && same_work(work, step.layer(static_cast<int>(step.layers.size()) - 1));
    step.layers.push_back(std::move(work));
  }
  step.embedding.name = "embedding";
  step.embedding.weight_bytes_resident = input_embedding_bytes(model, w);
  step.embedding.weight_bytes_read = tokens * h * w.embedding;
  // Logits for the last position of each sequence (every position when verifying drafted tokens).
  step.head = weights_phase("lm_head", model.vocab_size, h, w.embedding, causal_prefill ? sequences : tokens);
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
