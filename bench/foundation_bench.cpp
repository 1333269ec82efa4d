// Throughput of the foundation stages (run with `make bench`): catalog loading, config parsing, footprints,
// placement and the full source reproduction. Later stages (perf, frontier, sim) add their own files here.
#include <benchmark/benchmark.h>

#include "catalog/catalog.h"
#include "model/footprint.h"
#include "placement/deploy.h"
#include "report/reproduction.h"

namespace {

const ws::Catalog& catalog() {
  static const ws::Catalog loaded = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

void BM_LoadCatalog(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ws::load_catalog(WAFERSCOPE_CATALOG_DIR));
}
BENCHMARK(BM_LoadCatalog);

void BM_ParseConfig(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(catalog().model("deepseek-v3"));
}
BENCHMARK(BM_ParseConfig);

void BM_Footprint(benchmark::State& state) {
  const ws::ModelSpec m = catalog().model("deepseek-v3");
  const ws::Precision& kv = catalog().precisions.get("bf16", "bench");
  for (auto _ : state) {
    benchmark::DoNotOptimize(ws::param_counts(m));
    benchmark::DoNotOptimize(ws::kv_bytes_for_context(m, kv, 128000, true));
  }
}
BENCHMARK(BM_Footprint);

void BM_DeployOnWafers(benchmark::State& state) {
  const ws::ModelSpec m = catalog().model("llama-3.1-405b");
  ws::DeployRequest request;
  request.weights = ws::uniform_weight_format(catalog().precisions.get("bf16", "bench"));
  request.kv = catalog().precisions.get("bf16", "bench");
  const ws::Hardware cs3 = catalog().hardware("cs-3");
  for (auto _ : state) benchmark::DoNotOptimize(ws::deploy(m, cs3, request));
}
BENCHMARK(BM_DeployOnWafers);

void BM_ReproduceSourceTables(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ws::reproduce_source_tables(catalog()));
}
BENCHMARK(BM_ReproduceSourceTables)->Unit(benchmark::kMillisecond);

}  // namespace
