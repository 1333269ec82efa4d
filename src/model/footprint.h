#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/precision.h"
#include "model/model_spec.h"

namespace ws {

// Parameters of one decoder layer, by group. Groups are what a checkpoint quantizes separately.
struct LayerParams {
  double attention = 0;       // q/k/v/o projections (or MLA's low-rank projections), biases, q/k norms, sinks
  double dense_ffn = 0;       // gated MLP of a dense layer
  double routed_experts = 0;  // all routed experts of a MoE layer
  double shared_experts = 0;
  double router = 0;
  double norms = 0;           // layer norms, MTP projections
  double active_routed_experts = 0;  // the experts one token passes through

  double ffn() const { return dense_ffn + routed_experts + shared_experts + router; }
  double total() const { return attention + ffn() + norms; }
  double active() const { return attention + dense_ffn + active_routed_experts + shared_experts + router + norms; }
};

LayerParams layer_params(const ModelSpec& model, const LayerSpec& layer);

struct ParamCounts {
  double total = 0;
  double active = 0;     // per token: attention + active FFN + unembedding (as OpenAI/DeepSeek count it)
  double attention = 0;  // includes MTP modules where the checkpoint ships them
  double ffn = 0;        // includes routers and shared experts
  double embedding = 0;  // input embedding plus an untied output head
  double mtp = 0;        // multi-token-prediction modules (included in total, not in active)
};

ParamCounts param_counts(const ModelSpec& model);

// Bytes per parameter for each group of a model, either one precision for everything or the checkpoint's mix.
struct WeightFormat {
  std::string name;  // "bf16", "checkpoint (mxfp4 routed experts, bf16 rest)"
  std::string compute_class = "fp16";  // the chip FLOP/s column the bulk of the matmuls run on
  double attention = 0, dense_ffn = 0, routed_experts = 0, shared_experts = 0, router = 0, norms = 0,
         embedding = 0;
};

WeightFormat uniform_weight_format(const Precision& precision);
WeightFormat checkpoint_weight_format(const ModelSpec& model, const PrecisionTable& precisions);
// "checkpoint", a precision name, or "EXPERTS/REST" (e.g. "nvfp4/fp8": routed and shared experts in nvfp4,
// everything else in fp8); `where` names the flag for errors.
WeightFormat weight_format(const ModelSpec& model, const std::string& choice, const PrecisionTable& precisions,
                           const std::string& where);

double layer_weight_bytes(const ModelSpec& model, const LayerSpec& layer, const WeightFormat& format);
double input_embedding_bytes(const ModelSpec& model, const WeightFormat& format);
double output_head_bytes(const ModelSpec& model, const WeightFormat& format);  // a tied head still needs a copy on the last stage
double weight_bytes(const ModelSpec& model, const WeightFormat& format);        // whole model, one copy

// KV cache. `honor_windows`: sliding-window and chunked layers cache at most their window (what a
// window-aware serving engine allocates); false counts every layer at full context (the source's convention).
double kv_bytes_per_token(const ModelSpec& model, const Precision& kv);  // every decoder layer at full context
double kv_bytes_for_context(const ModelSpec& model, const Precision& kv, double context_tokens, bool honor_windows);

}  // namespace ws
