// The fabric simulator against hand-computed closed forms on defect-free regions, and its properties with defects.
// Facts used (catalog/chips.toml): WSE-2: ramp R = 2, hop H = 1, core op A = 1 cycle, 4 bytes per link per cycle,
// 4 fp16 MACs and 8 SRAM read bytes per core per cycle (so 4 MACs/cycle on 2-byte operands). WSE-3: hop H = 2.
#include "fabric/kernels.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/error.h"
#include "test_support.h"

namespace ws::fabric {
namespace {

const WaferFabric& wse2() { return *test::catalog().chip("wse-2", "chip").fabric; }
const WaferFabric& wse3() { return *test::catalog().chip("wse-3", "chip").fabric; }

// WSE-2's facts with half again as many physical tiles as exposed ones: spare columns for the defect tests.
WaferFabric with_spares() {
  WaferFabric f = wse2();
  f.cores_physical = 1.5 * f.fabric_width_cores * f.fabric_height_cores;
  return f;
}

// Broadcast along a row of N cores, 64 bytes (W = 16): ramp + (N - 1) hops + ramp + W.
TEST(FabricClosedForms, RowBroadcastTakesRampsHopsAndWavelets) {
  const struct { int n; double wse2, wse3; } cases[] = {
      {2, 4 + 1 + 16, 4 + 2 + 16}, {8, 4 + 7 + 16, 4 + 14 + 16}, {100, 4 + 99 + 16, 4 + 198 + 16}, {762, 4 + 761 + 16, 4 + 1522 + 16}};
  for (const auto& c : cases) {
    EXPECT_EQ(broadcast_kernel(Mesh(wse2(), {1, c.n}), 64).simulated_cycles, c.wse2) << c.n;
    EXPECT_EQ(broadcast_kernel(Mesh(wse3(), {1, c.n}), 64).simulated_cycles, c.wse3) << c.n;
    EXPECT_EQ(broadcast_kernel(Mesh(wse2(), {1, c.n}), 64).analytic_cycles, c.wse2) << c.n;
  }
  const KernelResult one_wavelet = broadcast_kernel(Mesh(wse2(), {1, 8}), 3);  // 3 bytes still take one wavelet
  EXPECT_EQ(one_wavelet.simulated_cycles, 4 + 7 + 1);
  EXPECT_EQ(one_wavelet.critical.hops, 7);
  EXPECT_EQ(one_wavelet.critical.routers.size(), 8u);
}

// A 4 x 8 region: routers fork the row's stream down every column: 2R + (3 + 7) H + W = 4 + 10 + 16.
TEST(FabricClosedForms, RegionBroadcastForksAtRouters) {
  const KernelResult r = broadcast_kernel(Mesh(wse2(), {4, 8}), 64);
  EXPECT_EQ(r.simulated_cycles, 30);
  EXPECT_EQ(r.analytic_cycles, 30);
  EXPECT_EQ(r.critical.hops, 10);
  // Every column behaves alike: one row and one column simulation, the other 7 columns reused.
  EXPECT_EQ(r.lines_simulated, 2u);
  EXPECT_GE(r.lines_reused, 7u);
}

// Chain: (N - 1)(2R + H + A) + W, pipelined per wavelet; 64 bytes: W = 16.
TEST(FabricClosedForms, ChainReduce) {
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 2}), 64, ReduceAlgorithm::chain).simulated_cycles, 6 + 16);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 8}), 64, ReduceAlgorithm::chain).simulated_cycles, 7 * 6 + 16);
  EXPECT_EQ(reduce_kernel(Mesh(wse3(), {1, 8}), 64, ReduceAlgorithm::chain).simulated_cycles, 7 * 7 + 16);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 8}), 64, ReduceAlgorithm::chain).analytic_cycles, 7 * 6 + 16);
}

// Tree over 2^k cores with one wavelet: k (2R + A) + (N - 1) H + W. N = 4: round 0 heads arrive at 5 and leave
// at 6; core 2's reaches core 0 at 6 + 2 + 2 + 2 = 12, leaves at 13; its one wavelet is through at 14.
TEST(FabricClosedForms, TreeReduceInTheLatencyRegime) {
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 4}), 4, ReduceAlgorithm::tree).simulated_cycles, 14);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 8}), 4, ReduceAlgorithm::tree).simulated_cycles, 3 * 5 + 7 + 1);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 64}), 4, ReduceAlgorithm::tree).simulated_cycles, 6 * 5 + 63 + 1);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 64}), 4, ReduceAlgorithm::tree).analytic_cycles, 6 * 5 + 63 + 1);
  // Large messages: the root's last link carries log2 N streams, so the chain wins (Luczynski et al.'s finding).
  const double big = 4096;
  EXPECT_LT(reduce_kernel(Mesh(wse2(), {1, 64}), big, ReduceAlgorithm::chain).simulated_cycles,
            reduce_kernel(Mesh(wse2(), {1, 64}), big, ReduceAlgorithm::tree).simulated_cycles);
  EXPECT_GE(reduce_kernel(Mesh(wse2(), {1, 64}), big, ReduceAlgorithm::tree).simulated_cycles, 6 * big / 4);
}

// Two-phase, groups of S = ceil(sqrt N): (S - 1)(2R + H + A) + (N/S - 1)(2R + S H + A) + W.
TEST(FabricClosedForms, TwoPhaseReduce) {
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 9}), 4, ReduceAlgorithm::two_phase).simulated_cycles, 2 * 6 + 2 * 8 + 1);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 16}), 4, ReduceAlgorithm::two_phase).simulated_cycles, 3 * 6 + 3 * 9 + 1);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 16}), 4, ReduceAlgorithm::two_phase).analytic_cycles, 3 * 6 + 3 * 9 + 1);
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {1, 1024}), 4, ReduceAlgorithm::two_phase).simulated_cycles, 31 * 6 + 31 * 37 + 1);
}

// Rows onto column 0, then column 0 onto the corner: 3 x 4, chain, W = 16: (3 x 6) + (2 x 6 + 16).
TEST(FabricClosedForms, RegionReduceAndAllReduce) {
  EXPECT_EQ(reduce_kernel(Mesh(wse2(), {3, 4}), 64, ReduceAlgorithm::chain).simulated_cycles, 18 + 28);
  // All-reduce: the broadcast leaves with the reduced head: 46 - 16 + (4 + (2 + 3) + 16).
  const KernelResult all = allreduce_kernel(Mesh(wse2(), {3, 4}), 64, ReduceAlgorithm::chain);
  EXPECT_EQ(all.simulated_cycles, 30 + 25);
  EXPECT_EQ(all.analytic_cycles, 30 + 25);
}

// MeshGEMV 64 x 64 on 4 x 8, chain: x slice 8 elements (16 B, W = 4) down 4 rows: 4 + 3 + 4 = 11; tile 8 x 16 =
// 128 MACs at 4 per cycle = 32; y slice 16 elements (W = 8) chained over 8 cores: 7 x 6 + 8 = 50.
TEST(FabricClosedForms, MeshGemv) {
  const KernelResult r = gemv_kernel(Mesh(wse2(), {4, 8}), GemvShape{64, 64, 2}, ReduceAlgorithm::chain);
  EXPECT_EQ(r.simulated_cycles, 11 + 32 + 50);
  EXPECT_EQ(r.analytic_cycles, 11 + 32 + 50);
  EXPECT_EQ(r.lines_simulated, 2u);  // one column, one row
}

// MeshGEMM on 4 x 4 (P = 4): tile 16^3 = 4096 MACs = 1024 cycles against a shift of 4 + 2 + 128: 3 x 1024 + 1024.
// Size 8: tile 8 MACs = 2 cycles, shift 4 + 2 + 2 = 8: 3 x 8 + 2.
TEST(FabricClosedForms, MeshGemm) {
  EXPECT_EQ(gemm_kernel(Mesh(wse2(), {4, 4}), MatmulShape{64, 64, 64, 2}).simulated_cycles, 4096);
  EXPECT_EQ(gemm_kernel(Mesh(wse2(), {4, 4}), MatmulShape{8, 8, 8, 2}).simulated_cycles, 26);
  EXPECT_EQ(gemm_kernel(Mesh(wse2(), {4, 4}), MatmulShape{8, 8, 8, 2}).analytic_cycles, 26);
}

TEST(FabricKernels, SameSeedSameAnswer) {
  const WaferFabric f = with_spares();
  const Region region{16, 24};
  auto run = [&](std::uint64_t seed) {
    const Mesh mesh(f, region, DefectMap::random(region.rows, region.cols + spare_columns(f, region.cols), 0.03, seed, "defect_density"));
    return gemv_kernel(mesh, GemvShape{384, 384, 2}, ReduceAlgorithm::two_phase);
  };
  const KernelResult a = run(7), b = run(7);
  EXPECT_EQ(a.simulated_cycles, b.simulated_cycles);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.critical.hops, b.critical.hops);
  const DefectMap m1 = DefectMap::random(20, 20, 0.1, 7, "d"), m2 = DefectMap::random(20, 20, 0.1, 7, "d");
  ASSERT_EQ(m1.count(), m2.count());
  for (std::size_t k = 0; k < m1.count(); ++k) EXPECT_TRUE(m1.cells()[k] == m2.cells()[k]);
}

TEST(FabricKernels, DefectsNeverMakeAKernelFaster) {
  const WaferFabric f = with_spares();
  const Region region{12, 20};
  const int physical = region.cols + spare_columns(f, region.cols);
  const Mesh clean(f, region);
  int tried = 0;
  for (double density : {0.01, 0.05, 0.15})
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      std::unique_ptr<Mesh> made;
      try {
        made = std::make_unique<Mesh>(f, region, DefectMap::random(region.rows, physical, density, seed, "defect_density"));
        broadcast_kernel(*made, 4);
      } catch (const InputError&) {
        continue;  // a map the spares cannot repair, or one whose dead tiles cut the region: no kernel runs
      }
      const Mesh& broken = *made;
      ++tried;
      const std::string label = "density " + std::to_string(density) + " seed " + std::to_string(seed);
      EXPECT_GE(broadcast_kernel(broken, 64).simulated_cycles, broadcast_kernel(clean, 64).simulated_cycles) << label;
      for (auto algorithm : {ReduceAlgorithm::chain, ReduceAlgorithm::tree, ReduceAlgorithm::two_phase}) {
        EXPECT_GE(reduce_kernel(broken, 64, algorithm).simulated_cycles, reduce_kernel(clean, 64, algorithm).simulated_cycles)
            << label << " " << to_string(algorithm);
        EXPECT_GE(allreduce_kernel(broken, 8, algorithm).simulated_cycles,
                  allreduce_kernel(clean, 8, algorithm).simulated_cycles)
            << label << " " << to_string(algorithm);
      }
      EXPECT_GE(gemv_kernel(broken, GemvShape{240, 240, 2}, ReduceAlgorithm::two_phase).simulated_cycles,
                gemv_kernel(clean, GemvShape{240, 240, 2}, ReduceAlgorithm::two_phase).simulated_cycles)
          << label;
      EXPECT_GE(gemm_kernel(broken, MatmulShape{48, 48, 48, 2}).simulated_cycles,
                gemm_kernel(clean, MatmulShape{48, 48, 48, 2}).simulated_cycles)
          << label;
    }
  EXPECT_GE(tried, 24);
}

TEST(FabricKernels, LayerOfA70BModelRunsItsPhasesInOrder) {
  const ModelSpec& model = test::catalog().model("llama-3.1-70b", "model");
  const Mesh mesh(wse3(), {256, 256});
  const KernelResult r = layer_kernel(mesh, model, 8192, 1, ReduceAlgorithm::two_phase);
  ASSERT_GE(r.phases.size(), 6u);
  for (std::size_t k = 1; k < r.phases.size(); ++k) EXPECT_GE(r.phases[k].end_cycles, r.phases[k - 1].end_cycles) << r.phases[k].name;
  EXPECT_EQ(r.simulated_cycles, r.phases.back().end_cycles);
  EXPECT_GT(r.simulated_s, 0);
  EXPECT_GT(r.analytic_s, 0);
  EXPECT_GT(r.critical.hops, 0);
  // The layer's weights (0.86e9 parameters, 1.7 GB) do not fit 64 x 64 cores of 48 KiB.
  EXPECT_THROW(layer_kernel(Mesh(wse3(), {64, 64}), model, 8192, 1, ReduceAlgorithm::two_phase), InputError);
}

TEST(FabricKernels, MoeRoutesToSeededExperts) {
  const ModelSpec& model = test::catalog().model("gpt-oss-120b", "model");
  const Mesh mesh(wse3(), {600, 600});
  const KernelResult a = moe_kernel(mesh, model, 3, ReduceAlgorithm::two_phase);
  const KernelResult b = moe_kernel(mesh, model, 3, ReduceAlgorithm::two_phase);
  EXPECT_EQ(a.simulated_cycles, b.simulated_cycles);
  EXPECT_GT(a.simulated_cycles, 0);
  EXPECT_THROW(moe_kernel(mesh, test::catalog().model("llama-3.1-8b", "model"), 3, ReduceAlgorithm::two_phase), InputError);
}

TEST(FabricKernels, TooMuchWorkForTheRegionIsAnInputError) {
  EXPECT_THROW(gemv_kernel(Mesh(wse3(), {4, 4}), GemvShape{8192, 8192, 2}, ReduceAlgorithm::chain), InputError);
  EXPECT_THROW(gemm_kernel(Mesh(wse3(), {4, 4}), MatmulShape{8192, 8192, 8192, 2}), InputError);
  KernelRequest q;
  q.kernel = "attention";
  EXPECT_THROW(run_kernel(Mesh(wse3(), {4, 4}), q), InputError);  // needs a model
  q.kernel = "fft";
  EXPECT_THROW(run_kernel(Mesh(wse3(), {4, 4}), q), InputError);
}

}  // namespace
}  // namespace ws::fabric
