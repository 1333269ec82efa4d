#pragma once
#include <array>
#include <string>
#include <vector>

#include "core/precision.h"
#include "model/footprint.h"
#include "model/model_spec.h"

namespace ws {

// What one phase (a dependent step) of one layer does in one forward step of a batch: device-independent.
// Device classes turn this into time.
// The matrix multiplies behind a weights phase, for an efficiency that follows from their shape on the chip:
// `count` independent GEMMs (the routed experts a batch hits; 1 for a dense projection) of
// rows x columns x depth (tokens x outputs x inputs), before tensor parallelism splits them.
struct PhaseGemm {
  double rows = 0;
  double columns = 0;
  double depth = 0;
  double count = 0;  // 0: no GEMM
  bool experts = false;  // routed experts: spread over the EP group when EP > 1
};

struct PhaseWork {
  std::string name;                 // "qkv", "attention", "o_proj", "ffn_up", "ffn_down", "router", "experts_up", ...
  double weight_bytes_read = 0;     // unique weight bytes the batch touches (MoE: only the experts hit)
  double weight_bytes_resident = 0; // weight bytes stored for this phase (MoE: every expert)
  double kv_bytes_read = 0;         // KV cache bytes read by the batch
  double kv_bytes_written = 0;
  double flops = 0;                 // whole batch
  double activation_bytes_out = 0;  // bytes the phase produces for the whole batch (collective size)
  bool ends_with_tp_reduction = false;  // an all-reduce across the tensor-parallel group follows
  bool expert_dispatch = false;         // tokens travel to experts and back (all-to-all under EP)
  double experts_touched = 0;           // distinct experts the batch hits (MoE phases only)
  double routed_weight_bytes_read = 0;  // the touched routed experts' share of weight_bytes_read
  double experts = 0;                   // routed experts in the layer (MoE phases only)
  double experts_per_token = 0;
  std::array<PhaseGemm, 2> gemms{};  // a phase's GEMMs (routed and shared experts are two shapes)
  bool tp_splits_columns = true;     // column-parallel (qkv, up: outputs split) or row-parallel (o_proj, down)
  bool attention_side = false;       // qkv, attention, o_proj: replicated per GPU under attention data parallelism
  bool attention_kernel = false;     // the attention over the KV cache itself
  double kv_heads = 0;               // distinct KV heads (MLA: 1 shared latent); TP wider than this replicates KV
  // The attention kernel's shape (attention phases only): query heads, the key and value widths per head as the
  // kernel runs them (MLA absorbed: the latent), and the positions each token attends to.
  double attention_heads = 0, qk_head_dim = 0, v_head_dim = 0, attended_tokens = 0;
  double kv_element_bytes = 0;
};

struct LayerWork {
  std::vector<PhaseWork> phases;
  // The same work as the layer before it (most layers of a model are): a device may reuse that layer's time
  // when it does not name every term.
  bool repeats_previous = false;
  // >= 0: the layer (an earlier one) whose phases this layer shares; its own `phases` are then left empty
  // (read layers through StepWork::layer).
  int same_as = -1;
  double weight_bytes_resident() const;
  double weight_bytes_read() const;
  double kv_bytes_read() const;
  double flops() const;
};

// One forward step over `tokens` tokens of `sequences` sequences, each attending to `context_tokens`.
// Decode: tokens == sequences. Prefill of one prompt: sequences = 1, tokens = prompt length.
struct StepWork {
  double sequences = 0;
  double tokens = 0;
  double context_tokens = 0;
  bool record_terms = true;  // keep a named term per phase (for --explain); sweeps turn it off
  bool prefill = false;  // a prompt chunk (compute-heavy) rather than a decode step
  // A speculative draft step inside a decode iteration (an MTP module's loop): no per-iteration engine overhead and
  // no host work per token of its own (the iteration pays both, for the verified tokens).
  bool draft = false;
  std::string compute_class = "fp16";  // which FLOP/s column runs the matmuls
  std::string serving_stack;           // the software stack running the step (device classes with per-stack constants)
  double overhead_scale = 1;           // the stack's software-age factor on per-kernel overheads (engine sets it)
  double hidden_size = 0;
  double activation_bytes_per_element = 2;  // bf16 activations
  std::vector<LayerWork> layers;            // decoder layers only (MTP modules are drafts, not layers here)
  PhaseWork embedding;                      // lookup: reads `tokens` rows
  PhaseWork head;                           // final norm + unembedding GEMV/GEMM + sampling

  double weight_bytes_resident() const;
  double flops() const;
  // Layer i with its phases (a repeated layer resolved to the one it shares them with).
  const LayerWork& layer(int i) const {
    const LayerWork& l = layers[static_cast<std::size_t>(i)];
    return l.same_as >= 0 ? layers[static_cast<std::size_t>(l.same_as)] : l;
  }
};

// Expected number of distinct experts hit when `routed_tokens` token-slots pick `per_token` of `experts`
// uniformly: E (1 - (1 - k/E)^T). Uniform routing is the optimistic case for weight reads.
double expected_experts_touched(double experts, double per_token, double tokens);

// Expert parallelism puts experts / groups experts on each group of devices; the step waits for the busiest. With
// each expert hit independently with probability touched / experts (the uniform routing above), a group's hits are
// Binomial(experts / groups, p) and the busiest of `groups` independent groups hits
//   E[max] = sum_{j=0}^{m-1} (1 - F(j)^groups),  m = experts / groups, F the binomial CDF.
// At decode batches this is well above the mean touched / groups (R1, 8 tokens, EP 8: ~1.4x); at prefill, ~1x.
double expected_busiest_group_experts(double experts, double touched, int groups);

// A decode step: every sequence adds `tokens_per_sequence` positions (more than one when verifying drafted
// tokens), each attending to `context_tokens`.
StepWork decode_work(const ModelSpec& model, const WeightFormat& weights, const Precision& kv, double sequences,
                     double context_tokens, bool honor_windows, double tokens_per_sequence = 1);
// A prefill chunk of `tokens` new tokens appended to `past_tokens` already cached (causal attention).
StepWork prefill_work(const ModelSpec& model, const WeightFormat& weights, const Precision& kv, double tokens,
                      double past_tokens, bool honor_windows);

}  // namespace ws
