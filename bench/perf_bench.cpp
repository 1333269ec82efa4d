// Speed of the performance engine and the frontier (issue: "frontier points evaluated per second, the
// latency of one perf, and a whole-catalog sweep for 1k/1k, 1k/8k and 8k/1k in under 10 s on 2 cores").
#include <benchmark/benchmark.h>

#include "catalog/catalog.h"
#include "frontier/frontier.h"
#include "perf/engine.h"

namespace {

const ws::Catalog& catalog() {
  static const ws::Catalog loaded = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

const ws::PerfEngine& engine() {
  static const ws::PerfEngine e(catalog());
  return e;
}

void perf_once(benchmark::State& state, const char* model_name, const char* hardware_name, bool explain) {
  const ws::ModelSpec model = catalog().model(model_name);
  const ws::Hardware hardware = catalog().hardware(hardware_name);
  ws::PerfRequest request;
  request.weights = ws::weight_format(model, "checkpoint", catalog().precisions, "bench");
  request.kv = catalog().precisions.get("bf16", "bench");
  request.concurrency = 16;
  request.record_terms = explain;
  for (auto _ : state) benchmark::DoNotOptimize(engine().run(model, hardware, request));
}

void BM_PerfWaferExplain(benchmark::State& state) { perf_once(state, "gpt-oss-120b", "cs-3", true); }
void BM_PerfWafer(benchmark::State& state) { perf_once(state, "gpt-oss-120b", "cs-3", false); }
void BM_PerfGpuExplain(benchmark::State& state) { perf_once(state, "deepseek-r1", "dgx-b300", true); }
void BM_PerfGpu(benchmark::State& state) { perf_once(state, "deepseek-r1", "dgx-b300", false); }
BENCHMARK(BM_PerfWaferExplain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerfWafer)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerfGpuExplain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PerfGpu)->Unit(benchmark::kMicrosecond);

void BM_FrontierPoints(benchmark::State& state) {
  const ws::ModelSpec model = catalog().model("gpt-oss-120b");
  const ws::Hardware hardware = catalog().hardware("gb300-nvl72");
  ws::FrontierRequest request;
  std::size_t points = 0;
  for (auto _ : state) points += ws::sweep(engine(), model, hardware, request).size();
  state.counters["points_per_s"] = benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FrontierPoints)->Unit(benchmark::kMillisecond);

// Every catalog model with a config on every catalog hardware, for the three benchmark scenarios.
void BM_CatalogSweepThreeScenarios(benchmark::State& state) {
  std::vector<ws::ModelSpec> models;
  for (const auto& entry : catalog().models)
    if (!entry.aggregate) models.push_back(catalog().model(entry.name));
  std::vector<ws::Hardware> hardware;
  for (const auto& name : catalog().hardware_names()) hardware.push_back(catalog().hardware(name));
  std::size_t points = 0;
  for (auto _ : state) {
    for (auto [isl, osl] : {std::pair{1024.0, 1024.0}, {1024.0, 8192.0}, {8192.0, 1024.0}}) {
      ws::FrontierRequest request;
      request.isl = isl;
      request.osl = osl;
      points += ws::sweep_all(engine(), models, hardware, request).size();
    }
  }
  state.counters["points"] = benchmark::Counter(static_cast<double>(points), benchmark::Counter::kAvgIterations);
  state.counters["points_per_s"] = benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CatalogSweepThreeScenarios)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
