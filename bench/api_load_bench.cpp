// Loopback load test of the HTTP API under attack (issue item 9), bounded in count and time:
// ws::ApiServer runs on port 0 in a forked child process (so a crash of the server is reported, not shared);
// 12 keep-alive client threads drive an open loop at a fixed 2,000 requests/s for 30 s (60,000 requests), one in
// five malformed (bad JSON, unknown fields, wrong types, fractional and zero counts, huge lengths, bodies at
// exactly the 1 MiB limit and one byte over it, unknown paths, and with config_crash_class:1 a pasted config.json
// whose num_key_value_heads is 0.4). Valid answers are compared with handle_api's answer computed up front.
// A 2 s warm-up of the same mix comes first; the server's VmRSS is taken after it and at the end. Latency runs
// from each request's scheduled send time (queueing included); correctness counts cover the warm-up too. Run alone with
//   ./build/waferscope_bench --benchmark_filter=ApiLoad
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "catalog/catalog.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kRatePerS = 2000;
constexpr double kDurationS = 30;
constexpr int kClients = 12;
constexpr double kBacklogS = 15;  // stop issuing once this far behind schedule

struct Case {
  Case(std::string k, std::string m, std::string p, std::string b, bool bad = false)
      : kind(std::move(k)), method(std::move(m)), path(std::move(p)), body(std::move(b)), malformed(bad) {}
  std::string kind;
  std::string method, path, body;
  bool malformed = false;
  std::string expected;  // valid cases: handle_api's body
};

// VmRSS of a process in bytes; 0 when it is gone.
double vmrss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return 1024.0 * std::stod(line.substr(6));
  return 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A JSON body of exactly `size` bytes: a perf query with an unknown "padding" field (a 400 when it gets in).
std::string padded_body(std::size_t size) {
  const std::string head = R"({"model": "gpt-oss-120b", "hardware": "cs-3", "padding": ")", tail = "\"}";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

std::vector<Case> valid_cases() {
  return {{"perf", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": 8})"},
          {"perf-gpu", "POST", "/api/perf", R"({"model": "llama-3.1-70b", "hardware": "dgx-b300", "concurrency": 32, "tp": 8})"},
          {"deploy", "POST", "/api/deploy",
           R"({"model": "gpt-oss-120b", "hardware": "cs-3", "context": 96300, "concurrency": 250, "kv_window": "ignore"})"},
          {"footprint", "POST", "/api/footprint", R"({"model": "llama-3.1-8b"})"}};
}

std::vector<Case> malformed_cases(const ws::ApiLimits& limits, bool config_crash_class) {
  std::vector<Case> cases = {
      {"malformed JSON", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": )"},
      {"unknown field", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrancy": 8})"},
      {"wrong type", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": "eight"})"},
      {"fractional tp", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "tp": 0.5})"},
      {"zero tp", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "tp": 0})"},
      {"huge isl", "POST", "/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "isl": 1e12})"},
      {"body at the limit", "POST", "/api/perf", padded_body(limits.max_body_bytes)},
      {"body over the limit", "POST", "/api/perf", padded_body(limits.max_body_bytes + 1)},
      {"unknown path", "POST", "/api/perff", R"({"model": "gpt-oss-120b", "hardware": "cs-3"})"},
      {"unknown GET path", "GET", "/api/nothing-here", ""}};
  for (auto& c : cases) c.malformed = true;
  if (config_crash_class) {
    std::string config = read_file(std::string(WAFERSCOPE_CATALOG_DIR) + "/models/meta-llama/Llama-3.1-8B/config.json");
    const std::string key = "\"num_key_value_heads\": 8";
    const auto at = config.find(key);
    if (at != std::string::npos) config.replace(at, key.size(), "\"num_key_value_heads\": 0.4");
    cases.push_back({"config.json with num_key_value_heads 0.4", "POST", "/api/footprint", "{\"config\": " + config + "}", true});
  }
  return cases;
}

// Forks; the child serves on a free loopback port until SIGTERM and never returns. The parent gets the port.
pid_t start_server(int& port) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    int p = -1;
    try {
      const ws::Catalog catalog = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
      ws::ServeOptions options;
      options.port = 0;
      ws::ApiServer server(catalog, options);
      p = server.bind();
      (void)!write(fds[1], &p, sizeof p);
      close(fds[1]);
      server.run();
      _exit(0);
    } catch (const std::exception& e) {
      std::cerr << "ApiLoad: server child: " << e.what() << "\n";
      (void)!write(fds[1], &p, sizeof p);
      _exit(1);
    }
  }
  close(fds[1]);
  port = -1;
  pollfd pfd{fds[0], POLLIN, 0};
  if (pid > 0 && poll(&pfd, 1, 60000) == 1 && read(fds[0], &port, sizeof port) != sizeof port) port = -1;
  close(fds[0]);
  return pid;
}

double percentile(const std::vector<double>& sorted, double q) {
  return sorted.empty() ? 0 : sorted[static_cast<std::size_t>(q * (sorted.size() - 1))];
}

void BM_ApiLoad(benchmark::State& state) {
  const bool config_crash_class = state.range(0) != 0;
  signal(SIGPIPE, SIG_IGN);  // a dying server must not take the client with it
  const ws::ApiLimits limits;
  // Known answers, once, without sockets.
  std::vector<Case> valid = valid_cases();
  {
    const ws::Catalog catalog = ws::load_catalog(WAFERSCOPE_CATALOG_DIR);
    const ws::PerfEngine engine(catalog);
    for (auto& c : valid) {
      const ws::ApiResponse r = ws::handle_api(catalog, engine, c.method, c.path, c.body, limits);
      if (r.status != 200) {
        state.SkipWithError(("known answer for " + c.kind + " is not a 200: " + r.body).c_str());
        return;
      }
      c.expected = r.body;
    }
  }
  const std::vector<Case> malformed = malformed_cases(limits, config_crash_class);

  for (auto _ : state) {
    int port = -1;
    const pid_t pid = start_server(port);
    if (pid <= 0 || port <= 0) {
      if (pid > 0) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
      state.SkipWithError("the server child did not start");
      return;
    }
    // Reaps the child as soon as it dies; `dead` stops the clients.
    std::atomic<bool> dead{false}, done{false};
    int exit_status = 0;
    std::thread reaper([&] {
      while (!done) {
        if (waitpid(pid, &exit_status, WNOHANG) == pid) {
          dead = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    {  // one request, then the memory of a server that has answered once (reported, not judged)
      httplib::Client warm("127.0.0.1", port);
      warm.Post(valid[0].path, valid[0].body, "application/json");
    }
    const double rss_cold = vmrss_bytes(pid);

    std::atomic<long long> sent{0}, answered{0}, wrong{0}, non_4xx{0}, failed{0}, not_sent{0};
    std::vector<std::vector<double>> latencies(kClients);
    std::mutex first_problem_mutex;
    std::string first_problem;
    auto note = [&](const std::string& what) {
      std::lock_guard<std::mutex> lock(first_problem_mutex);
      if (first_problem.empty()) first_problem = what;
    };
    // One open-loop phase of `total` requests at kRatePerS; correctness counts always, timings when `measured`.
    auto phase = [&](long long total, bool measured) {
      const auto t0 = Clock::now() + std::chrono::milliseconds(100);
      std::vector<std::thread> clients;
      for (int c = 0; c < kClients; ++c)
        clients.emplace_back([&, c] {
          httplib::Client client("127.0.0.1", port);
          client.set_keep_alive(true);
          client.set_tcp_nodelay(true);
          client.set_connection_timeout(2);
          client.set_read_timeout(10);
          if (measured) latencies[c].reserve(total / kClients + 1);
          for (long long k = c; k < total; k += kClients) {
            const auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(k / kRatePerS));
            if (dead || Clock::now() - due > std::chrono::duration<double>(kBacklogS)) {
              if (measured) not_sent += (total - k + kClients - 1) / kClients;
              break;
            }
            std::this_thread::sleep_until(due);
            const bool is_bad = k % 5 == 4;
            const Case& q = is_bad ? malformed[(k / 5) % malformed.size()] : valid[(k - k / 5) % valid.size()];
            if (measured) ++sent;
            const auto r = q.method == "GET" ? client.Get(q.path) : client.Post(q.path, q.body, "application/json");
            if (measured) latencies[c].push_back(std::chrono::duration<double>(Clock::now() - due).count());
            if (!r) {
              ++failed;
              note(fmt::format("no answer to '{}' ({})", q.kind, httplib::to_string(r.error())));
              continue;
            }
            if (measured) ++answered;
            if (is_bad && (r->status < 400 || r->status >= 500)) {
              ++non_4xx;
              note(fmt::format("'{}' answered {}: {}", q.kind, r->status, r->body.substr(0, 200)));
            }
            if (!is_bad && (r->status != 200 || r->body != q.expected)) {
              ++wrong;
              note(fmt::format("'{}' answered {} with a different body", q.kind, r->status));
            }
          }
        });
      for (auto& t : clients) t.join();
      return std::max(0.0, std::chrono::duration<double>(Clock::now() - t0).count());
    };
    // Warm-up: 2 s of the same mix, so that every worker thread and buffer size has been used once; the
    // starting memory is taken after it.
    phase(static_cast<long long>(2 * kRatePerS), false);
    const double rss_start = dead ? 0 : vmrss_bytes(pid);
    const long long total = static_cast<long long>(kRatePerS * kDurationS);
    const double seconds = phase(total, true);

    bool up = false;
    double rss_end = 0;
    if (!dead) {
      httplib::Client check("127.0.0.1", port);
      check.set_connection_timeout(2);
      const auto health = check.Get("/api/health");
      up = health && health->status == 200;
      rss_end = vmrss_bytes(pid);
    }
    done = true;
    reaper.join();
    std::string died;
    if (dead) {
      died = WIFSIGNALED(exit_status) ? fmt::format("server died: signal {} ({})", WTERMSIG(exit_status), strsignal(WTERMSIG(exit_status)))
                                      : fmt::format("server died: exit status {}", WEXITSTATUS(exit_status));
      if (rss_start == 0) died += " (in the warm-up)";
    } else {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }

    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const double growth = rss_start > 0 && rss_end > 0 ? 100.0 * (rss_end / rss_start - 1.0) : 0;
    state.counters["sent"] = static_cast<double>(sent);
    state.counters["answered_per_s"] = seconds > 0 ? static_cast<double>(answered) / seconds : 0;
    state.counters["p50_ms"] = 1e3 * percentile(all, 0.50);
    state.counters["p99_ms"] = 1e3 * percentile(all, 0.99);
    state.counters["wrong_answers"] = static_cast<double>(wrong);
    state.counters["malformed_non_4xx"] = static_cast<double>(non_4xx);
    state.counters["no_answer"] = static_cast<double>(failed);
    state.counters["not_sent"] = static_cast<double>(not_sent);
    state.counters["rss_after_first_MB"] = rss_cold / 1e6;
    state.counters["rss_start_MB"] = rss_start / 1e6;
    state.counters["rss_end_MB"] = rss_end / 1e6;
    state.counters["rss_growth_pct"] = growth;
    state.counters["server_up"] = up ? 1 : 0;
    std::cout << fmt::format(
                     "ApiLoad (config crash class {}): {} of {} requests sent in {:.1f} s, {:.0f} answered/s, p50 {:.2f} ms, "
                     "p99 {:.2f} ms, wrong answers {}, non-4xx to malformed {}, no answer {}, server RSS {:.1f} MB after one "
                     "request, {:.1f} MB after warm-up -> {:.1f} MB at the end ({:+.1f}%), server up: {}{}{}",
                     config_crash_class ? "on" : "off", sent.load(), total, seconds,
                     seconds > 0 ? static_cast<double>(answered) / seconds : 0.0, 1e3 * percentile(all, 0.50), 1e3 * percentile(all, 0.99),
                     wrong.load(), non_4xx.load(), failed.load(), rss_cold / 1e6, rss_start / 1e6, rss_end / 1e6, growth,
                     up ? "yes" : "no", died.empty() ? "" : "; " + died,
                     first_problem.empty() ? "" : "; first problem: " + first_problem)
              << std::endl;
  }
}
BENCHMARK(BM_ApiLoad)->ArgName("config_crash_class")->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
