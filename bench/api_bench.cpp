// Load test of the HTTP API on loopback: perf queries from 8 client threads for a bounded time, one request in
// ten malformed. Every good answer must equal the precomputed one, every malformed one must be a 4xx, and the
// server must still answer afterwards. Prints the rate and the p99 latency (target: >= 1,000 queries/s on 2 cores).
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "api/server.h"
#include "catalog/catalog.h"

namespace {

void BM_ApiPerfQueries(benchmark::State& state) {
  const ws::Catalog catalog = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
  ws::ServeOptions options;
  options.port = 0;
  options.threads = 16;
  ws::ApiServer server(catalog, options);
  const int port = server.bind();
  std::thread serving([&] { server.run(); });
  server.wait_until_running();
  const std::string good = R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": 8})";
  const std::string bad = R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": "eight"})";
  std::string expected;
  {
    httplib::Client client("127.0.0.1", port);
    expected = client.Post("/api/perf", good, "application/json")->body;
  }
  for (auto _ : state) {
    std::atomic<long long> answered{0}, wrong{0};
    std::vector<std::vector<double>> latencies(8);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c)
      clients.emplace_back([&, c] {
        httplib::Client client("127.0.0.1", port);
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);
        for (int i = 0; i < 2500; ++i) {
          const bool malformed = (i + c) % 10 == 0;
          const auto t0 = std::chrono::steady_clock::now();
          auto r = client.Post("/api/perf", malformed ? bad : good, "application/json");
          latencies[c].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
          ++answered;
          if (!r || (malformed ? (r->status < 400 || r->status >= 500) : (r->status != 200 || r->body != expected))) ++wrong;
          if (std::chrono::steady_clock::now() - start > std::chrono::seconds(20)) break;
        }
      });
    for (auto& t : clients) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    httplib::Client check("127.0.0.1", port);
    const auto health = check.Get("/api/health");
    state.counters["queries_per_s"] = static_cast<double>(answered) / seconds;
    state.counters["p99_latency_ms"] = all.empty() ? 0 : 1e3 * all[static_cast<std::size_t>(0.99 * (all.size() - 1))];
    state.counters["wrong_answers"] = static_cast<double>(wrong);
    state.counters["server_up"] = health && health->status == 200 ? 1 : 0;
  }
  server.stop();
  serving.join();
}
BENCHMARK(BM_ApiPerfQueries)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
