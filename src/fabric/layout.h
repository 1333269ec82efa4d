#pragma once
// A picture of a deployment on wafers: which cores hold which layer's attention weights, KV cache, MLP or experts,
// and the path of one token through them. Stages (which layers sit on which wafer) come from the caller (the perf
// engine's split); inside a wafer the engine keeps no geometry (each phase runs on "its share of the cores"), so
// here every part is laid out row-major over the logical fabric, in layer order, in a band of cores proportional
// to its bytes at the chip's SRAM per core. That band layout is this module's own simplification, not the vendor's.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/precision.h"
#include "fabric/mesh.h"
#include "model/footprint.h"
#include "model/model_spec.h"

namespace ws::fabric {

struct Band {
  int wafer = 0;
  int layer = -1;            // decoder layer; -1 for the embedding and the output head
  std::string part;          // embedding, attention, kv, mlp, shared (router + shared experts), experts, head
  int experts = 0;           // experts band: this many equal cells, expert e on [first + e c/E, first + (e+1) c/E)
  double first_core = 0;     // row-major index on the wafer's logical fabric (rows x cols)
  double cores = 0;
  double bytes = 0;
};

struct TokenStop {
  int wafer = 0;
  int layer = -1;
  std::string part;
  int expert = -1;  // the routed expert, for experts stops
  double row = 0, col = 0;  // the centre of the band (or expert cell) on the wafer's logical fabric
};

struct WaferLayout {
  Region fabric;                 // the logical cores of one wafer (fabric height x width)
  double bytes_per_core = 0;
  std::vector<std::pair<int, int>> stages;  // [first, last) decoder layers per wafer
  std::vector<double> stage_bytes;          // weights + KV per wafer
  std::vector<double> scale;                // cores per byte-at-SRAM-density: 1, or < 1 where the stage overflows
  std::vector<Band> bands;
  std::vector<TokenStop> path;
};

struct LayoutRequest {
  WeightFormat weights;
  Precision kv;
  double context_tokens = 8192;
  double concurrency = 1;  // sequences whose KV is resident
  bool honor_windows = true;
  std::uint64_t seed = 1;  // the experts the token is routed to
};

// Decoder layers only (MTP modules are left out); the embedding goes first on wafer 0, the head last on the last
// wafer. A stage whose bytes exceed the wafer's SRAM is drawn scaled to fit (scale < 1).
WaferLayout lay_out(const WaferFabric& fabric, const ModelSpec& model, const std::vector<std::pair<int, int>>& stages,
                    const LayoutRequest& request);

// Weight bytes per decoder layer (what the perf engine splits stages by).
std::vector<double> decoder_layer_weight_bytes(const ModelSpec& model, const WeightFormat& weights);

}  // namespace ws::fabric
