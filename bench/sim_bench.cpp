// Serving simulator speed: a million-request synthetic trace (the target: under 10 s on one core).
#include <benchmark/benchmark.h>

#include "catalog/catalog.h"
#include "perf/engine.h"
#include "sim/simulator.h"

namespace {

const ws::Catalog& catalog() {
  static const ws::Catalog loaded = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

void BM_SimulateMillionRequests(benchmark::State& state) {
  const ws::PerfEngine engine(catalog());
  const ws::ModelSpec model = catalog().model("llama-3.1-8b");
  ws::PoolSpec pool{catalog().hardware("h100"), ws::PerfRequest{}, 16, ws::SystemPrice{"bench", 2.0}};
  pool.perf.weights = ws::uniform_weight_format(catalog().precisions.get("bf16", "bench"));
  pool.perf.kv = catalog().precisions.get("bf16", "bench");
  // Azure code-completion lengths (mean 2k in, 28 out) at 1,000 requests/s for 1,000 s.
  const auto requests = ws::synthetic_traffic(catalog().workload("azure-code"), 1000, 1000, 1.0, 42);
  double completed = 0;
  for (auto _ : state) {
    ws::Traffic traffic;
    traffic.requests = requests;
    const ws::SimResult r = ws::simulate(engine, model, pool, std::nullopt, ws::SimConfig{}, std::move(traffic));
    completed = static_cast<double>(r.summary.completed);
  }
  state.counters["requests"] = static_cast<double>(requests.size());
  state.counters["completed"] = completed;
  state.counters["requests_per_s"] = benchmark::Counter(static_cast<double>(requests.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateMillionRequests)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
