#include "fabric/layout.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace ws::fabric {

std::vector<double> decoder_layer_weight_bytes(const ModelSpec& model, const WeightFormat& weights) {
  std::vector<double> bytes;
  for (const auto& layer : model.layers)
    if (!layer.multi_token_prediction) bytes.push_back(layer_weight_bytes(model, layer, weights));
  return bytes;
}

namespace {

// The parts of one decoder layer in the order a token meets them, with their bytes.
struct Part {
  std::string name;
  double bytes = 0;
  int experts = 0;
};

std::vector<Part> layer_parts(const ModelSpec& model, const LayerSpec& layer, const LayoutRequest& q, double kv_per_token_per_layer) {
  const LayerParams p = layer_params(model, layer);
  const WeightFormat& w = q.weights;
  const bool windowed = q.honor_windows && layer.scope != AttentionScope::full;
  const double kv_tokens = windowed ? std::min(q.context_tokens, layer.window_tokens) : q.context_tokens;
  std::vector<Part> parts = {{"attention", p.attention * w.attention + p.norms * w.norms, 0},
                             {"kv", kv_per_token_per_layer * kv_tokens * q.concurrency, 0}};
  if (layer.ffn.moe) {
    if (p.shared_experts + p.router > 0) parts.push_back({"shared", p.shared_experts * w.shared_experts + p.router * w.router, 0});
    parts.push_back({"experts", p.routed_experts * w.routed_experts, layer.ffn.experts});
  } else {
    parts.push_back({"mlp", p.dense_ffn * w.dense_ffn, 0});
  }
  return parts;
}

}  // namespace

WaferLayout lay_out(const WaferFabric& fabric, const ModelSpec& model, const std::vector<std::pair<int, int>>& stages,
                    const LayoutRequest& q) {
  WaferLayout out;
  out.fabric = Region{static_cast<int>(fabric.fabric_height_cores), static_cast<int>(fabric.fabric_width_cores)};
  out.bytes_per_core = fabric.sram_bytes_per_core;
  out.stages = stages;
  const double capacity_cores = out.fabric.cores();
  const int decoder_layers = model.num_decoder_layers();
  // KV per token per layer, from the footprint's whole-model figure at full context (every layer caches alike).
  const double kv_per_token_per_layer =
      decoder_layers > 0 ? kv_bytes_for_context(model, q.kv, 1.0, false) / decoder_layers : 0.0;
  const double embedding = input_embedding_bytes(model, q.weights), head = output_head_bytes(model, q.weights);
  std::mt19937_64 router(q.seed);
  const int cols = out.fabric.cols;
  auto centre = [&](double index) {
    const double row = std::floor(index / cols);
    return std::make_pair(row, index - row * cols);
  };
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const int wafer = static_cast<int>(s);
    const bool first = s == 0, last = s + 1 == stages.size();
    std::vector<Band> bands;
    if (first) bands.push_back({wafer, -1, "embedding", 0, 0, 0, embedding});
    for (int l = stages[s].first; l < stages[s].second; ++l)
      for (const Part& part : layer_parts(model, model.layers[l], q, kv_per_token_per_layer))
        bands.push_back({wafer, l, part.name, part.experts, 0, 0, part.bytes});
    if (last) bands.push_back({wafer, -1, "head", 0, 0, 0, head});
    double bytes = 0;
    for (const auto& b : bands) bytes += b.bytes;
    out.stage_bytes.push_back(bytes);
    const double need_cores = bytes / out.bytes_per_core;
    const double scale = need_cores > capacity_cores ? capacity_cores / need_cores : 1.0;
    out.scale.push_back(scale);
    double at = 0;
    for (auto& b : bands) {
      b.first_core = at;
      b.cores = b.bytes / out.bytes_per_core * scale;
      at += b.cores;
      // The token's stops: every band it passes (the KV is read by its own attention), and k routed experts.
      if (b.part == "experts" && b.experts > 0) {
        const int k = std::clamp(model.layers[b.layer].ffn.experts_per_token, 1, b.experts);
        std::vector<int> ids(b.experts);
        std::iota(ids.begin(), ids.end(), 0);
        for (int i = 0; i < k; ++i) std::swap(ids[i], ids[i + static_cast<int>(router() % static_cast<std::uint64_t>(b.experts - i))]);
        std::sort(ids.begin(), ids.begin() + k);
        const double cell = b.cores / b.experts;
        for (int i = 0; i < k; ++i) {
          const auto [row, col] = centre(b.first_core + (ids[i] + 0.5) * cell);
          out.path.push_back({wafer, b.layer, b.part, ids[i], row, col});
        }
      } else if (b.cores > 0) {
        const auto [row, col] = centre(b.first_core + b.cores / 2);
        out.path.push_back({wafer, b.layer, b.part, -1, row, col});
      }
      out.bands.push_back(b);
    }
  }
  return out;
}

}  // namespace ws::fabric
