// Speed of the fabric simulator (issue 10: "one decode-step layer of a 70B model on 900k cores simulates in
// seconds on one core"; "make bench reports the fabric simulator's events per second"). Counters: events/s (the
// engine's events over wall time), layer_us (the simulated layer time) and events per run.
#include <benchmark/benchmark.h>

#include "catalog/catalog.h"
#include "fabric/kernels.h"

namespace {

const ws::Catalog& catalog() {
  static const ws::Catalog loaded = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

const ws::WaferFabric& wse3() { return *catalog().chip("wse-3", "bench").fabric; }

// One decode step of one Llama-3.1-70B layer (8192 tokens of context) on the whole WSE-3 fabric, 762 x 1172 cores;
// density 0 uses the region's regularity (a handful of distinct lines); 5e-5 per tile is the published ~46 defects
// per wafer, 1e-3 twenty times that, where nearly every line needs its own simulation.
void BM_FabricLayer70bFullWafer(benchmark::State& state) {
  const double density = static_cast<double>(state.range(0)) * 1e-6;
  const ws::ModelSpec model = catalog().model("llama-3.1-70b");
  const ws::fabric::Region region{762, 1172};
  const int physical = region.cols + ws::fabric::spare_columns(wse3(), region.cols);
  const ws::fabric::Mesh mesh(wse3(), region, ws::fabric::DefectMap::random(region.rows, physical, density, 1, "bench"));
  double events = 0, layer_s = 0;
  for (auto _ : state) {
    const auto r = ws::fabric::layer_kernel(mesh, model, 8192, 1, ws::fabric::ReduceAlgorithm::two_phase);
    events += static_cast<double>(r.events);
    layer_s = r.simulated_s;
  }
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["events"] = events / static_cast<double>(state.iterations());
  state.counters["layer_us"] = layer_s * 1e6;
}
BENCHMARK(BM_FabricLayer70bFullWafer)->Arg(0)->Arg(50)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The engine alone: a tree reduce of 4 KB over the 1172 cores of one row (contention on every link into the root).
void BM_FabricTreeReduceRow(benchmark::State& state) {
  const ws::fabric::Mesh mesh(wse3(), {1, 1172});
  double events = 0;
  for (auto _ : state) events += static_cast<double>(ws::fabric::reduce_kernel(mesh, 4096, ws::fabric::ReduceAlgorithm::tree).events);
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FabricTreeReduceRow)->Unit(benchmark::kMillisecond);

}  // namespace
