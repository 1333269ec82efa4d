// `waferscope roadmap`'s analysis: the TP-vs-PP crossover formula against cases solved by hand, every preset
// answering, and the DRAM tier moving the feasibility diagram.
#include <gtest/gtest.h>

#include <cmath>

#include "econ/roadmap.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(TensorVsPipeline, LatencyBoundAtTheWafersHopLatency) {
  // gpt-oss-120b-like: 2 wafers, 36 layers, 400 us in the wafers, 5 us per hop, 2880 x 2 bytes of activation.
  // room = 400e-6 x 1/2 + 1 x 5e-6 x (1 - 144) = -515e-6 < 0: never; TP needs h < 200e-6 / 143 = 1.3986 us.
  const TensorVsPipeline t = tensor_vs_pipeline(2, 36, 400e-6, 5e-6, 5760, 150e9);
  EXPECT_TRUE(std::isnan(t.crossover_bytes_per_s));
  EXPECT_NEAR(t.max_hop_latency_for_tp_s, 1.3986e-6, 1e-10);
  EXPECT_NEAR(t.pipeline_token_s, 400e-6 + 5e-6 + 5760 / 150e9, 1e-12);
  EXPECT_NEAR(t.tensor_token_s, 200e-6 + 144 * (5e-6 + 2880 / 150e9), 1e-12);
}

TEST(TensorVsPipeline, BandwidthCrossoverWhenHopsAreFast) {
  // h = 0.1 us: room = 200e-6 - 14.3e-6 = 185.7e-6; a (N-1)(4L/N - 1) = 5760 x 71 = 408,960 B; B* = 2.2023 GB/s.
  const TensorVsPipeline t = tensor_vs_pipeline(2, 36, 400e-6, 0.1e-6, 5760, 150e9);
  EXPECT_NEAR(t.crossover_bytes_per_s, 408960 / 185.7e-6, 1e3);
  // At exactly that bandwidth the two are equal.
  const TensorVsPipeline at = tensor_vs_pipeline(2, 36, 400e-6, 0.1e-6, 5760, t.crossover_bytes_per_s);
  EXPECT_NEAR(at.tensor_token_s, at.pipeline_token_s, 1e-12);
  EXPECT_TRUE(std::isnan(tensor_vs_pipeline(1, 36, 400e-6, 5e-6, 5760, 150e9).crossover_bytes_per_s));
}

RoadmapResult run_all(double concurrency, std::vector<double> contexts) {
  const Catalog& c = test::catalog();
  static const PerfEngine engine(c);
  const ModelSpec model = c.model("gpt-oss-120b");
  RoadmapRequest r;
  r.perf.isl = 65536;
  r.perf.osl = 1024;
  r.perf.concurrency = concurrency;
  r.perf.weights = weight_format(model, "checkpoint", c.precisions, "weight_dtype");
  r.perf.kv = c.precisions.get("bf16", "kv_dtype");
  r.perf.record_terms = false;
  r.feasibility_contexts = std::move(contexts);
  return run_roadmap(engine, c, model, r);
}

TEST(Roadmap, EveryPresetAnswers) {
  const RoadmapResult r = run_all(1, {});
  for (const char* preset : {"cs-3", "cs-4", "wse3-dram-wafer", "wse3-photonic-io", "wse-n2", "lp40"}) {
    bool found = false;
    for (const auto& row : r.rows) {
      if (row.preset != preset) continue;
      found = true;
      EXPECT_GT(row.systems, 0) << preset << " " << row.note;  // LPUs: a fraction of a 256-chip rack
      EXPECT_GT(row.tokens_per_s_per_user, 0) << preset << " " << row.note;
      EXPECT_GT(row.usd_per_mtok, 0) << preset << " " << row.note;
    }
    EXPECT_TRUE(found) << preset;
  }
  // More clock, same SRAM: the CS-4 is no slower per user than the CS-3 on the same model.
  double cs3 = 0, cs4 = 0;
  for (const auto& row : r.rows) {
    if (row.preset == "cs-3") cs3 = row.tokens_per_s_per_user;
    if (row.preset == "cs-4") cs4 = row.tokens_per_s_per_user;
  }
  EXPECT_GT(cs4, cs3);
  EXPECT_FALSE(r.tensor_vs_pipeline.empty());
  EXPECT_FALSE(r.assumptions.empty());
}

TEST(Roadmap, DramWaferNeedsFewerSystemsAtLongContext) {
  const RoadmapResult r = run_all(1, {1048576});
  int cs3 = 0, dram = 0;
  for (const auto& f : r.feasibility) {
    if (f.preset == "cs-3") cs3 = f.systems;
    if (f.preset == "wse3-dram-wafer") dram = f.systems;
  }
  // 64 sequences of 1M tokens: tens of CS-3s of SRAM for KV; the DRAM tier (1.5 TB each) needs only the wafers the
  // weights need.
  EXPECT_GT(cs3, 10);
  EXPECT_LE(dram, 3);
  EXPECT_LT(dram, cs3);
}

}  // namespace
}  // namespace ws
