// Serving simulator speed and memory (issue 11's targets: >= 100,000 simulated requests per second on one core
// for a 200k-request Mooncake-style trace on 8 wafer replicas and for 1M synthetic requests; resident memory
// under 500 MB at 1M requests). Each benchmark prints requests_per_s and peak_rss_mb (the peak resident set
// during that run alone: /proc/self/clear_refs resets it before the run).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "catalog/catalog.h"
#include "perf/engine.h"
#include "sim/simulator.h"

namespace {

const ws::Catalog& catalog() {
  static const ws::Catalog loaded = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// VmHWM (peak resident set since the last reset); ru_maxrss where /proc is not there.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// 200,000 requests in Mooncake's JSONL: the shared conversation trace (12k requests, an hour) tiled 17 times
// back to back, each copy with its own block hashes (so prefixes repeat within a copy as in the original).
std::string mooncake_style_trace() {
  const std::string path = (std::filesystem::temp_directory_path() / "waferscope_bench_mooncake_200k.jsonl").string();
  if (std::filesystem::exists(path)) return path;
  std::ifstream in(std::string(WAFERSCOPE_CATALOG_DIR) + "/traces/mooncake_conversation_trace.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::ofstream out(path + ".tmp");
  constexpr long long hash_stride = 1'000'000, span_ms = 3'600'000;
  long long written = 0;
  for (int copy = 0; written < 200'000; ++copy)
    for (const auto& line : lines) {
      if (written == 200'000) break;
      // {"timestamp": T, "input_length": I, "output_length": O, "hash_ids": [h, ...]}
      long long t = 0, i = 0, o = 0;
      std::sscanf(line.c_str(), "{\"timestamp\": %lld, \"input_length\": %lld, \"output_length\": %lld", &t, &i, &o);
      out << "{\"timestamp\": " << t + copy * span_ms << ", \"input_length\": " << i << ", \"output_length\": " << o
          << ", \"hash_ids\": [";
      std::istringstream hashes(line.substr(line.find('[') + 1));
      long long h = 0;
      char sep = 0;
      for (bool first = true; hashes >> h; first = false) {
        out << (first ? "" : ", ") << h + copy * hash_stride;
        hashes >> sep;
      }
      out << "]}\n";
      ++written;
    }
  out.close();
  std::filesystem::rename(path + ".tmp", path);
  return path;
}

ws::PoolSpec bf16_pool(const std::string& hardware, int replicas) {
  ws::PoolSpec pool{catalog().hardware(hardware), ws::PerfRequest{}, replicas, ws::SystemPrice{"bench", 2.0}};
  pool.perf.weights = ws::uniform_weight_format(catalog().precisions.get("bf16", "bench"));
  pool.perf.kv = catalog().precisions.get("bf16", "bench");
  return pool;
}

void report(benchmark::State& state, double requests, const ws::SimResult& r) {
  state.counters["requests"] = requests;
  state.counters["completed"] = static_cast<double>(r.summary.completed);
  state.counters["utilization"] = r.summary.utilization;
  state.counters["requests_per_s"] = benchmark::Counter(requests, benchmark::Counter::kIsRate);
  state.counters["peak_rss_mb"] = peak_rss_mb();
  // How it was simulated: events handled, decode steps applied inside stretches, stretches cut short.
  state.counters["events"] = static_cast<double>(r.diagnostics.events);
  state.counters["skipped_steps"] = static_cast<double>(r.diagnostics.skipped_steps);
  state.counters["stretches"] = static_cast<double>(r.diagnostics.stretches);
  state.counters["stretches_cut"] = static_cast<double>(r.diagnostics.stretches_cut);
}

// The Mooncake-style trace (mean 12k tokens in, 343 out, prefix blocks) at 12x its pace (41 requests/s) on 8
// CS-3 replicas of Llama 3.1 8B; reading the trace (streamed) is part of the time;
// requests go to a sink as they finish, as `simulate --out` writes them.
void BM_SimulateMooncake200kOn8Cs3(benchmark::State& state) {
  const ws::PerfEngine engine(catalog());
  const ws::ModelSpec model = catalog().model("llama-3.1-8b");
  const ws::PoolSpec pool = bf16_pool("cs-3", 8);
  const std::string trace = mooncake_style_trace();
  double requests = 0;
  for (auto _ : state) {
    reset_peak_rss();
    ws::Traffic traffic = ws::trace_stream(trace, 12.0);
    requests = static_cast<double>(traffic.stream_requests);
    const ws::SimResult r = ws::simulate(engine, model, pool, std::nullopt, ws::SimConfig{}, std::move(traffic), {},
                                         [](const ws::SimRequest&) {});
    report(state, requests, r);
  }
}
BENCHMARK(BM_SimulateMooncake200kOn8Cs3)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// A million synthetic requests: Azure code-completion lengths (mean 2k in, 28 out) at 1,000 requests/s for
// 1,000 s on 16 H100; drawing the traffic is part of the time.
void BM_SimulateMillionRequests(benchmark::State& state) {
  const ws::PerfEngine engine(catalog());
  const ws::ModelSpec model = catalog().model("llama-3.1-8b");
  const ws::PoolSpec pool = bf16_pool("h100", 16);
  double requests = 0;
  for (auto _ : state) {
    reset_peak_rss();
    ws::Traffic traffic = ws::synthetic_stream(catalog().workload("azure-code"), 1000, 1000, 1.0, 42);
    requests = static_cast<double>(traffic.stream_requests);
    const ws::SimResult r = ws::simulate(engine, model, pool, std::nullopt, ws::SimConfig{}, std::move(traffic), {},
                                         [](const ws::SimRequest&) {});
    report(state, requests, r);
  }
}
BENCHMARK(BM_SimulateMillionRequests)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
