// Physical properties that must hold on configurations the constants were not fitted on, across the catalog.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "perf/engine.h"
#include "test_support.h"

namespace ws {
namespace {

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

std::vector<std::string> config_models() {
  std::vector<std::string> names;
  for (const auto& m : test::catalog().models)
    if (!m.aggregate) names.push_back(m.name);
  return names;
}

// Along concurrency at fixed parallelism: total throughput never falls and tokens/s per user never rises,
// until memory runs out.
TEST(Properties, ThroughputRisesAndInteractivityFallsWithConcurrency) {
  int checked = 0;
  for (const auto& model_name : config_models()) {
    const ModelSpec m = test::catalog().model(model_name);
    for (const char* hw : {"cs-3", "dgx-b300", "gb300-nvl72", "dgx-h100", "groq-lpx"}) {
      const Hardware h = test::catalog().hardware(hw);
      PerfRequest base;
      base.weights = weight_format(m, "checkpoint", test::catalog().precisions, "test");
      base.kv = test::catalog().precisions.get("bf16", "test");
      base.isl = 1024;
      base.osl = 1024;
      base.record_terms = false;
      std::optional<PerfResult> first;
      try {
        first = engine().run(m, h, base);
      } catch (const InfeasibleError&) {
        continue;  // does not fit at its default parallelism
      }
      base.tp = first->parallel.tp;
      base.pp = first->parallel.pp;
      double last_throughput = 0, last_interactivity = 1e30;
      for (double c = 1; c <= 1024; c *= 2) {
        base.concurrency = c;
        PerfResult r;
        try {
          r = engine().run(m, h, base);
        } catch (const InfeasibleError&) {
          break;
        }
        EXPECT_GE(r.output_tokens_per_s, last_throughput * (1 - 1e-9)) << model_name << " on " << hw << " at " << c;
        EXPECT_LE(r.tokens_per_s_per_user, last_interactivity * (1 + 1e-9)) << model_name << " on " << hw << " at " << c;
        last_throughput = r.output_tokens_per_s;
        last_interactivity = r.tokens_per_s_per_user;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 200);
}

// Adding wafers spreads the weights thinner (less per core to stream and multiply), but never beats the
// per-layer floor: every phase of every layer pays at least its setup on the mesh, plus a hop per wafer.
TEST(Properties, MoreWafersNeverBeatThePerLayerFloor) {
  const auto& constants = test::catalog().constants_for("wafer");
  const Hardware cs3 = test::catalog().hardware("cs-3");
  // Each phase pays at least the stack's software cost and a ramp onto and off the mesh.
  const WaferFabric& fabric = *cs3.chip.fabric;
  const double setup_s = (constants.get("phase_overhead_cycles_cerebras") + 2 * fabric.ramp_latency_cycles) / fabric.clock_hz;
  for (const auto& model_name : config_models()) {
    const ModelSpec m = test::catalog().model(model_name);
    PerfRequest q;
    q.weights = weight_format(m, "checkpoint", test::catalog().precisions, "test");
    q.kv = test::catalog().precisions.get("bf16", "test");
    q.record_terms = false;
    int phases = 0;
    for (const auto& layer : m.layers)
      if (!layer.multi_token_prediction) phases += layer.ffn.moe ? 6 : 5;
    double previous = 0;
    for (int factor = 1; factor <= 4; factor *= 2) {
      PerfResult r;
      try {
        const int minimum = engine().run(m, cs3, q).parallel.pp;
        q.pp = std::min(minimum * factor, m.num_decoder_layers());
        r = engine().run(m, cs3, q);
      } catch (const InfeasibleError&) {
        break;
      }
      const double floor = phases * setup_s + (r.parallel.pp - 1) * constants.get("wafer_hop_latency_s");
      EXPECT_GE(r.decode_step_s, floor) << model_name << " on " << r.parallel.pp << " wafers";
      if (previous > 0) {  // no free lunch either
        EXPECT_GT(r.decode_step_s, 0.2 * previous) << model_name;
      }
      previous = r.decode_step_s;
      q.pp.reset();
    }
  }
}

// Decode never runs faster than the memory system allows on an HBM GPU: every step reads the weights once.
TEST(Properties, HbmDecodeNeverBeatsWeightStreaming) {
  for (const auto& model_name : config_models()) {
    const ModelSpec m = test::catalog().model(model_name);
    for (const char* hw : {"dgx-b300", "dgx-h100"}) {
      const Hardware h = test::catalog().hardware(hw);
      PerfRequest q;
      q.weights = weight_format(m, "checkpoint", test::catalog().precisions, "test");
      q.kv = test::catalog().precisions.get("bf16", "test");
      q.record_terms = false;
      PerfResult r;
      try {
        r = engine().run(m, h, q);
      } catch (const InfeasibleError&) {
        continue;
      }
      // Active weights per token / aggregate bandwidth of the devices in use.
      const double active_bytes = param_counts(m).active * q.weights.attention;
      EXPECT_GE(r.decode_step_s, 0.5 * active_bytes / (r.devices * h.chip.main_memory.bandwidth_bytes_per_s))
          << model_name << " on " << hw;
    }
  }
}

}  // namespace
}  // namespace ws
