#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <list>
#include <random>
#include <unordered_map>

#include "core/error.h"
#include "sim/event_queue.h"
#include "sim/scheduler.h"
#include "workload/trace.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Step times memoised on a 1/64-octave grid of lengths: an iteration costs a hash lookup, while the value
// still comes from the perf engine's StepTimer.
class StepCache {
 public:
  explicit StepCache(const StepTimer* timer) : timer_(timer) {}
  static int bucket(double x) { return static_cast<int>(std::lround(64.0 * std::log2(std::max(1.0, x)))); }
  static double value(int b) { return std::exp2(b / 64.0); }
  double decode(double sequences, double mean_context) {
    const auto n = static_cast<std::uint64_t>(sequences);
    const std::uint64_t key = (n << 32) | static_cast<std::uint32_t>(bucket(mean_context));
    auto it = decode_.find(key);
    if (it != decode_.end()) return it->second;
    const double s = timer_->decode_s(static_cast<double>(n), value(bucket(mean_context)));
    decode_.emplace(key, s);
    return s;
  }
  double prefill(double tokens, double past) {
    const std::uint64_t key = (static_cast<std::uint64_t>(bucket(tokens)) << 32) |
                              static_cast<std::uint32_t>(past < 1 ? 0 : bucket(past) + 1);
    auto it = prefill_.find(key);
    if (it != prefill_.end()) return it->second;
    const double s = timer_->prefill_s(value(bucket(tokens)), past < 1 ? 0.0 : value(bucket(past)));
    prefill_.emplace(key, s);
    return s;
  }

 private:
  const StepTimer* timer_;
  std::unordered_map<std::uint64_t, double> decode_, prefill_;
};

// Least-recently-used set of prefix blocks.
class PrefixCache {
 public:
  explicit PrefixCache(double capacity_blocks) : capacity_(capacity_blocks) {}
  // Leading blocks of `hashes` present in the cache (touching them).
  int match(const std::vector<long long>& hashes) {
    int matched = 0;
    for (long long h : hashes) {
      auto it = index_.find(h);
      if (it == index_.end()) break;
      order_.splice(order_.begin(), order_, it->second);
      ++matched;
    }
    return matched;
  }
  void insert(const std::vector<long long>& hashes) {
    for (long long h : hashes) {
      auto it = index_.find(h);
      if (it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        continue;
      }
      order_.push_front(h);
      index_[h] = order_.begin();
      while (static_cast<double>(order_.size()) > capacity_) {
        index_.erase(order_.back());
        order_.pop_back();
      }
    }
  }

 private:
  double capacity_;
  std::list<long long> order_;
  std::unordered_map<long long, std::list<long long>::iterator> index_;
};

enum class Role { colocated, prefill, decode };

struct Replica {
  Role role = Role::colocated;
  const StepTimer* timer = nullptr;
  std::unique_ptr<StepCache> steps;
  std::unique_ptr<PrefixCache> cache;
  ReplicaQueues queues;
  double capacity_blocks = 0;
  double used_blocks = 0;
  bool busy = false;
  Batch batch;
  double busy_s = 0;
  double outstanding_tokens = 0;
  bool host_tier = false;
  double host_link_bytes_per_s = 0;
};

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return nan;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * values.size()));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return nan;
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}

// The deployment perf would choose for `concurrency` sequences of `isl` + `osl` tokens (weights only when the
// traffic is open loop), unless the pool's flags fix the parallelism.
StepTimer plan_pool(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool, double concurrency,
                    double isl, double osl) {
  PerfRequest p = pool.perf;
  p.concurrency = concurrency;
  p.isl = isl;
  p.osl = osl;
  p.record_terms = false;
  return engine.step_timer(model, pool.hardware, p);
}

}  // namespace

std::vector<SimRequest> synthetic_traffic(const Workload& workload, double rate_per_s, double duration_s,
                                          double gamma_shape, unsigned long long seed) {
  if (!(rate_per_s > 0)) throw InputError("rate", "expected a positive number of requests per second");
  if (!(duration_s > 0)) throw InputError("duration", "expected a positive number of seconds");
  if (!(gamma_shape > 0)) throw InputError("burstiness", "expected a positive gamma shape");
  // Our own draws from the raw 64-bit stream (std::*_distribution differ across standard libraries).
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  auto normal = [&] { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform()); };
  auto gamma = [&](double k) {  // Marsaglia-Tsang, k >= 1; boost for k < 1
    const double boost = k < 1 ? std::pow(uniform(), 1.0 / k) : 1.0;
    const double shape = k < 1 ? k + 1 : k;
    const double d = shape - 1.0 / 3, c = 1.0 / std::sqrt(9 * d);
    while (true) {
      double x, v;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return boost * d * v;
    }
  };
  std::vector<SimRequest> requests;
  double t = 0;
  for (long long id = 0;; ++id) {
    t += gamma(gamma_shape) / gamma_shape / rate_per_s;  // mean 1/rate
    if (t > duration_s) break;
    SimRequest r;
    r.id = id;
    r.arrival_s = t;
    r.input_tokens = std::max(1.0, std::round(workload.input_tokens.quantile(uniform())));
    r.output_tokens = std::max(1.0, std::round(workload.output_tokens.quantile(uniform())));
    requests.push_back(std::move(r));
  }
  return requests;
}

std::vector<SimRequest> trace_traffic(const std::string& path, double rate_scale) {
  if (!(rate_scale > 0)) throw InputError("rate_scale", "expected a positive number");
  std::vector<SimRequest> requests;
  long long id = 0;
  for (auto& t : read_trace(path)) {
    SimRequest r;
    r.id = id++;
    r.arrival_s = t.arrival_s / rate_scale;
    r.input_tokens = std::max(1.0, t.input_tokens);
    r.output_tokens = std::max(1.0, t.output_tokens);
    r.block_hashes = std::move(t.block_hashes);
    requests.push_back(std::move(r));
  }
  return requests;
}

SimResult simulate(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool,
                   const std::optional<PoolSpec>& prefill_pool, const SimConfig& config, Traffic traffic,
                   const std::function<void(long long, long long)>& progress) {
  if (pool.replicas < 1) throw InputError("replicas", "expected at least 1");
  if (prefill_pool && prefill_pool->replicas < 1) throw InputError("prefill_replicas", "expected at least 1");
  if (!(config.token_budget >= 1)) throw InputError("token_budget", "expected at least 1 token");
  if (config.max_batch < 1) throw InputError("max_batch", "expected at least 1");
  auto scheduler = builtin_schedulers().create(config.scheduler);
  auto router = builtin_routers().create(config.router);

  // Deployments: sized like perf for a closed loop's concurrency, for the weights alone otherwise.
  double plan_concurrency = 1, plan_isl = 1, plan_osl = 1;
  if (traffic.closed_loop_concurrency > 0 && traffic.make_request) {
    const SimRequest probe = traffic.make_request(0);
    plan_concurrency = traffic.closed_loop_concurrency;
    plan_isl = probe.input_tokens;
    plan_osl = probe.output_tokens;
  }
  const StepTimer decode_timer = plan_pool(engine, model, pool, plan_concurrency, plan_isl, plan_osl);
  std::optional<StepTimer> prefill_timer;
  if (prefill_pool) prefill_timer = plan_pool(engine, model, *prefill_pool, 1, 1, 1);
  // Mean context of the traffic sets the average KV bytes per token (windows make it length-dependent).
  double mean_context = 0;
  for (const auto& r : traffic.requests) mean_context += r.input_tokens + r.output_tokens / 2;
  mean_context = traffic.requests.empty() ? 4096 : mean_context / traffic.requests.size();
  if (traffic.closed_loop_concurrency > 0 && traffic.make_request) {
    const SimRequest probe = traffic.make_request(0);
    mean_context = probe.input_tokens + probe.output_tokens / 2;
  }
  const Precision& kv = pool.perf.kv;
  const double kv_bytes_per_token = kv_bytes_for_context(model, kv, mean_context, pool.perf.honor_windows) / mean_context;

  auto make_replica = [&](Role role, const PoolSpec& spec, const StepTimer& timer) {
    Replica r;
    r.role = role;
    r.timer = &timer;
    r.steps = std::make_unique<StepCache>(&timer);
    const double usable = timer.parallel().devices() * spec.hardware.chip.main_memory.capacity_bytes *
                          engine.device_class(spec.hardware.chip.device_class).usable_memory_fraction();
    double free_bytes = std::max(0.0, usable - weight_bytes(model, spec.perf.weights));
    r.host_tier = spec.hardware.system.host_memory.has_value();
    r.host_link_bytes_per_s = spec.hardware.system.host_link_bytes_per_s.value_or(0) *
                              std::max(1.0, static_cast<double>(timer.parallel().devices()) / spec.hardware.system.chip_count);
    double cache_bytes = 0;
    if (config.prefix_cache && role != Role::decode) {
      if (r.host_tier) {
        cache_bytes = spec.hardware.system.host_memory->capacity_bytes *
                      std::max(1.0, static_cast<double>(timer.parallel().devices()) / spec.hardware.system.chip_count);
      } else {
        cache_bytes = free_bytes * config.prefix_cache_share;
        free_bytes -= cache_bytes;
      }
    }
    r.cache = std::make_unique<PrefixCache>(cache_bytes / (kv_bytes_per_token * config.prefix_block_tokens));
    r.capacity_blocks = std::floor(free_bytes / (kv_bytes_per_token * config.kv_block_tokens));
    return r;
  };
  std::vector<Replica> replicas;
  for (int i = 0; i < pool.replicas; ++i)
    replicas.push_back(make_replica(prefill_pool ? Role::decode : Role::colocated, pool, decode_timer));
  std::vector<int> entry_replicas, decode_replicas;
  for (int i = 0; i < pool.replicas; ++i) (prefill_pool ? decode_replicas : entry_replicas).push_back(i);
  if (prefill_pool)
    for (int i = 0; i < prefill_pool->replicas; ++i) {
      entry_replicas.push_back(static_cast<int>(replicas.size()));
      replicas.push_back(make_replica(Role::prefill, *prefill_pool, *prefill_timer));
    }

  SimResult result;
  result.deployment = fmt::format("{} x {} ({} devices, TP {} PP {}){}", pool.replicas, pool.hardware.system.name,
                                  decode_timer.parallel().devices(), decode_timer.parallel().tp,
                                  decode_timer.parallel().pp,
                                  prefill_pool ? fmt::format(" decode + {} x {} prefill", prefill_pool->replicas,
                                                             prefill_pool->hardware.system.name)
                                               : "");
  std::vector<SimRequest>& requests = result.requests;
  EventQueue events;
  const bool closed = traffic.closed_loop_concurrency > 0;
  long long issued = 0;
  const long long total = closed ? traffic.closed_loop_requests : static_cast<long long>(traffic.requests.size());
  auto issue = [&](SimRequest r, double at) {
    r.id = static_cast<long long>(requests.size());
    r.arrival_s = at;
    r.prefill_target = r.input_tokens;
    requests.push_back(std::move(r));
    events.push(at, EventKind::arrival, -1, requests.back().id);
    ++issued;
  };
  if (closed) {
    if (!traffic.make_request) throw InputError("concurrency", "closed loop needs a workload to draw requests from");
    requests.reserve(static_cast<std::size_t>(total));  // handlers hold references into this vector
    // Clients start together but their first requests are cut to 1/C, 2/C, ... of the output length, so that
    // completions (and the next prefills) spread evenly over time as in a long-running closed loop.
    const int clients = traffic.closed_loop_concurrency;
    for (int i = 0; i < clients && issued < total; ++i) {
      SimRequest first = traffic.make_request(issued);
      first.output_tokens = std::max(1.0, std::round(first.output_tokens * (i + 1) / clients));
      issue(std::move(first), 0.0);
    }
  } else {
    requests = std::move(traffic.requests);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      requests[i].id = static_cast<long long>(i);
      events.push(requests[i].arrival_s, EventKind::arrival, -1, requests[i].id);
    }
    issued = total;
  }
  for (auto& r : requests) r.prefill_target = r.input_tokens;

  // Metrics state.
  double now = 0, last_event = 0, area_in_system = 0, kv_area = 0, peak_kv = 0;
  long long in_system = 0, finished = 0, preemptions = 0, admitted_order = 0;
  double total_capacity_blocks = 0;
  for (const auto& r : replicas) total_capacity_blocks += r.capacity_blocks;
  double next_sample = 0;
  double sample_interval_s = config.sample_interval_s;
  // 100,000 points: a chart cannot show more, and the CSV stays a few MB.
  constexpr std::size_t max_time_samples = 100000;
  auto used_blocks_total = [&] {
    double u = 0;
    for (const auto& r : replicas) u += r.used_blocks;
    return u;
  };
  auto sample = [&](double t) {
    while (next_sample <= t && sample_interval_s > 0) {
      TimeSample s;
      s.time_s = next_sample;
      for (const auto& r : replicas) {
        s.waiting += static_cast<double>(r.queues.waiting.size());
        s.running += static_cast<double>(r.queues.running.size());
      }
      s.in_system = static_cast<double>(in_system);
      s.kv_occupancy = total_capacity_blocks > 0 ? used_blocks_total() / total_capacity_blocks : 0;
      result.series.push_back(s);
      next_sample += sample_interval_s;
      // A long run keeps at most max_time_samples samples: past that, every other one goes and the interval
      // doubles (memory and the CSV stay bounded whatever the trace's span; deterministic).
      if (result.series.size() >= max_time_samples) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < result.series.size(); i += 2) result.series[kept++] = result.series[i];
        result.series.resize(kept);
        sample_interval_s *= 2;
        next_sample = result.series.back().time_s + sample_interval_s;
      }
    }
  };
  auto advance = [&](double t) {
    sample(t);
    const double dt = t - last_event;
    area_in_system += dt * static_cast<double>(in_system);
    const double occupancy = total_capacity_blocks > 0 ? used_blocks_total() / total_capacity_blocks : 0;
    kv_area += dt * occupancy;
    peak_kv = std::max(peak_kv, occupancy);
    last_event = t;
    now = t;
  };

  auto blocks_for = [&](double tokens) { return std::ceil(tokens / config.kv_block_tokens); };
  auto kv_bytes = [&](double tokens) { return kv_bytes_for_context(model, kv, tokens, pool.perf.honor_windows); };

  auto reject = [&](SimRequest& r, std::string reason) {
    r.rejected = true;
    r.reject_reason = std::move(reason);
    r.finish_s = -1;
    --in_system;
  };

  auto release = [&](Replica& rep, SimRequest& r) {
    rep.used_blocks -= blocks_for(r.context_in_kv);
    r.context_in_kv = 0;
    auto& running = rep.queues.running;
    running.erase(std::remove(running.begin(), running.end(), r.id), running.end());
  };

  std::function<void(int)> try_start;
  auto route = [&](const std::vector<int>& candidates, const SimRequest& r) {
    RouterView view;
    for (int i : candidates) view.outstanding_tokens.push_back(replicas[i].outstanding_tokens);
    return candidates[router->route(r, view)];
  };

  auto on_arrival = [&](long long id) {
    SimRequest& r = requests[id];
    ++in_system;
    const int target = route(entry_replicas, r);
    Replica& rep = replicas[target];
    const double needed = blocks_for(r.input_tokens + (rep.role == Role::prefill ? 0 : r.output_tokens));
    double decode_capacity = rep.capacity_blocks;
    if (prefill_pool) decode_capacity = replicas[decode_replicas.front()].capacity_blocks;
    if (needed > rep.capacity_blocks || blocks_for(r.input_tokens + r.output_tokens) > decode_capacity) {
      reject(r, fmt::format("needs {:.0f} KV blocks of {:.0f} tokens; a replica holds {:.0f}", needed,
                            config.kv_block_tokens, std::min(rep.capacity_blocks, decode_capacity)));
      return;
    }
    r.replica = target;
    if (rep.role == Role::prefill) r.prefill_replica = target;
    r.ready_s = now;
    rep.queues.waiting.push_back(id);
    rep.outstanding_tokens += r.input_tokens + r.output_tokens;
    try_start(target);
  };

  // Admission: KV blocks for the prompt; prefix-cache lookup on entry replicas.
  auto admit = [&](int replica_index, long long id) {
    Replica& rep = replicas[replica_index];
    SimRequest& r = requests[id];
    const double held = rep.role == Role::prefill ? r.prefill_target : r.prefill_target + 1;
    const double blocks = blocks_for(held);
    if (rep.used_blocks + blocks > rep.capacity_blocks) return false;
    rep.used_blocks += blocks;
    r.context_in_kv = held;
    r.admitted_order = ++admitted_order;
    if (rep.role != Role::decode && config.prefix_cache && !r.block_hashes.empty() && r.prefilled_tokens == 0) {
      const int matched = rep.cache->match(r.block_hashes);
      r.cached_tokens = std::min(matched * config.prefix_block_tokens, r.prefill_target - 1);
      r.prefilled_tokens = r.cached_tokens;
      if (r.cached_tokens > 0 && rep.host_tier) {  // bring the cached prefix's KV back from the host tier
        r.cache_load_s = kv_bytes(r.cached_tokens) / rep.host_link_bytes_per_s;
        r.ready_s = now + r.cache_load_s;
        events.push(r.ready_s, EventKind::ready, replica_index, id);
      }
    }
    return true;
  };

  try_start = [&](int index) {
    Replica& rep = replicas[index];
    if (rep.busy) return;
    SchedulerLimits limits{config.token_budget, config.max_batch, now};
    Batch batch = scheduler->next_batch(rep.queues, requests, limits, [&](long long id) { return admit(index, id); });
    if (rep.role == Role::prefill) batch.decode.clear();  // prefill-only pool
    if (batch.empty()) return;
    double duration = 0;
    if (!batch.decode.empty()) {
      double context = 0;
      for (long long id : batch.decode) context += requests[id].prefill_target + requests[id].generated_tokens;
      duration += rep.steps->decode(static_cast<double>(batch.decode.size()), context / batch.decode.size());
    }
    for (const auto& [id, chunk] : batch.prefill) duration += rep.steps->prefill(chunk, requests[id].prefilled_tokens);
    rep.busy = true;
    rep.batch = std::move(batch);
    rep.busy_s += duration;
    events.push(now + duration, EventKind::step_done, index, -1);
  };

  auto finish = [&](Replica& rep, SimRequest& r) {
    r.finish_s = now;
    if (rep.role != Role::decode && config.prefix_cache) rep.cache->insert(r.block_hashes);
    release(rep, r);
    --in_system;
    ++finished;
    if (closed && issued < total) issue(traffic.make_request(issued), now);
  };

  // A decode step needs one more KV slot per request; when blocks run out, the latest admitted request is
  // preempted: swapped to the host tier when the system has one (its KV goes out and comes back over the
  // host link), recomputed otherwise.
  auto grow = [&](Replica& rep, int index, SimRequest& r) {
    const double more = blocks_for(r.context_in_kv + 1) - blocks_for(r.context_in_kv);
    while (rep.used_blocks + more > rep.capacity_blocks) {
      long long victim = -1;
      for (long long id : rep.queues.running)
        if (id != r.id && (victim < 0 || requests[id].admitted_order > requests[victim].admitted_order)) victim = id;
      if (victim < 0) return false;
      SimRequest& v = requests[victim];
      ++preemptions;
      ++v.preemptions;
      const double context = v.context_in_kv;
      release(rep, v);
      if (rep.host_tier && rep.host_link_bytes_per_s > 0) {
        v.ready_s = now + 2 * kv_bytes(context) / rep.host_link_bytes_per_s;
        events.push(v.ready_s, EventKind::ready, index, victim);
      } else {  // recompute: prefill the prompt and the tokens generated so far again
        v.prefill_target = v.input_tokens + v.generated_tokens;
        v.prefilled_tokens = 0;
        v.cached_tokens = 0;
      }
      rep.queues.waiting.push_front(victim);
    }
    rep.used_blocks += more;
    r.context_in_kv += 1;
    return true;
  };

  auto on_step_done = [&](int index) {
    Replica& rep = replicas[index];
    rep.busy = false;
    Batch batch = std::move(rep.batch);
    for (const auto& [id, chunk] : batch.prefill) {
      SimRequest& r = requests[id];
      r.prefilled_tokens += chunk;
      rep.outstanding_tokens -= chunk;
      if (!r.prefill_done()) continue;
      if (r.first_token_s < 0) {  // the last prefill chunk produces the first output token
        r.first_token_s = now;
        r.generated_tokens = 1;
        rep.outstanding_tokens -= 1;
      }
      if (rep.role == Role::prefill) {  // hand the KV to a decode replica
        const int target = route(decode_replicas, r);
        const Replica& decode = replicas[target];
        const double link = std::min(
            rep.timer->hardware().chip.scale_out_bytes_per_s.value_or(50e9) * rep.timer->parallel().devices(),
            decode.timer->hardware().chip.scale_out_bytes_per_s.value_or(50e9) * decode.timer->parallel().devices());
        r.kv_handover_s = config.switch_hops * config.switch_hop_latency_s + kv_bytes(r.prefill_target) / link;
        if (config.prefix_cache) rep.cache->insert(r.block_hashes);
        release(rep, r);
        rep.outstanding_tokens -= r.output_tokens - r.generated_tokens;
        r.replica = target;
        events.push(now + r.kv_handover_s, EventKind::handover_done, target, id);
      } else if (r.generated_tokens >= r.output_tokens) {
        finish(rep, r);
      }
    }
    for (long long id : batch.decode) {
      SimRequest& r = requests[id];
      if (r.done() || r.context_in_kv == 0) continue;  // preempted during this step's growth
      if (!grow(rep, index, r)) continue;
      r.generated_tokens += 1;
      rep.outstanding_tokens -= 1;
      if (r.generated_tokens >= r.output_tokens) finish(rep, r);
    }
    try_start(index);
  };

  auto on_handover = [&](int index, long long id) {
    Replica& rep = replicas[index];
    SimRequest& r = requests[id];
    r.prefilled_tokens = r.prefill_target;  // its KV arrived whole
    r.ready_s = now;
    if (r.generated_tokens >= r.output_tokens) {  // a one-token answer is done at prefill
      r.finish_s = now;
      --in_system;
      ++finished;
      if (closed && issued < total) issue(traffic.make_request(issued), now);
      return;
    }
    rep.queues.waiting.push_back(id);
    rep.outstanding_tokens += r.output_tokens - r.generated_tokens;
    try_start(index);
  };

  long long processed = 0;
  while (!events.empty()) {
    const Event e = events.pop();
    advance(e.time_s);
    switch (e.kind) {
      case EventKind::arrival: on_arrival(e.request); break;
      case EventKind::step_done: on_step_done(e.replica); break;
      case EventKind::ready: try_start(e.replica); break;
      case EventKind::handover_done: on_handover(e.replica, e.request); break;
    }
    if (progress && (++processed & 0xFFFFF) == 0) progress(finished, total);
  }
  if (progress) progress(finished, total);

  // Anything still waiting could never be admitted.
  for (auto& r : requests)
    if (!r.done()) {
      r.rejected = true;
      r.reject_reason = "never admitted: KV memory held by other requests until the end";
    }

  // Summary.
  SimSummary& s = result.summary;
  s.requests = static_cast<long long>(requests.size());
  std::vector<double> ttft, tpot, e2e, handover;
  double first_arrival = requests.empty() ? 0 : requests.front().arrival_s, last_finish = 0, cached = 0;
  long long good = 0;
  for (const auto& r : requests) {
    first_arrival = std::min(first_arrival, r.arrival_s);
    s.input_tokens += r.input_tokens;
    if (r.rejected) {
      ++s.rejected;
      continue;
    }
    ++s.completed;
    s.output_tokens += r.output_tokens;
    cached += r.cached_tokens;
    last_finish = std::max(last_finish, r.finish_s);
    const double t_first = r.first_token_s - r.arrival_s + r.kv_handover_s;
    const double t_per = r.output_tokens > 1 ? (r.finish_s - r.first_token_s - r.kv_handover_s) / (r.output_tokens - 1) : 0;
    ttft.push_back(t_first);
    if (r.output_tokens > 1) tpot.push_back(t_per);
    e2e.push_back(r.finish_s - r.arrival_s);
    if (prefill_pool) handover.push_back(r.kv_handover_s);
    const bool ttft_ok = config.slo_ttft_s <= 0 || t_first <= config.slo_ttft_s;
    const bool tpot_ok = config.slo_tpot_s <= 0 || r.output_tokens <= 1 || t_per <= config.slo_tpot_s;
    good += ttft_ok && tpot_ok;
  }
  s.duration_s = std::max(1e-12, last_finish - first_arrival);
  s.ttft_p50 = percentile(ttft, 0.5), s.ttft_p90 = percentile(ttft, 0.9), s.ttft_p99 = percentile(ttft, 0.99);
  s.tpot_p50 = percentile(tpot, 0.5), s.tpot_p90 = percentile(tpot, 0.9), s.tpot_p99 = percentile(tpot, 0.99);
  s.e2e_p50 = percentile(e2e, 0.5), s.e2e_p90 = percentile(e2e, 0.9), s.e2e_p99 = percentile(e2e, 0.99);
  s.ttft_mean = mean_of(ttft), s.tpot_mean = mean_of(tpot), s.e2e_mean = mean_of(e2e);
  s.output_tokens_per_s = s.output_tokens / s.duration_s;
  double completed_input = 0;
  for (const auto& r : requests)
    if (!r.rejected) completed_input += r.input_tokens;
  s.total_tokens_per_s = (completed_input + s.output_tokens) / s.duration_s;
  s.goodput = (config.slo_ttft_s > 0 || config.slo_tpot_s > 0) && s.completed > 0 ? static_cast<double>(good) / s.completed : nan;
  double busy = 0;
  for (const auto& r : replicas) busy += r.busy_s;
  s.utilization = busy / (replicas.size() * s.duration_s);
  s.kv_occupancy_peak = peak_kv;
  s.kv_occupancy_mean = kv_area / std::max(1e-12, last_event);
  s.preemptions = preemptions;
  s.prefix_hit_ratio = completed_input > 0 ? cached / completed_input : 0;
  s.kv_handover_mean_s = prefill_pool ? mean_of(handover) : nan;
  s.mean_in_system = area_in_system / std::max(1e-12, last_event - first_arrival);
  s.littles_law_product = s.completed / std::max(1e-12, last_event - first_arrival) * s.e2e_mean;
  // Systems are priced as fractions: a TP 4 replica on an 8-GPU system occupies half of it. No price, no cost.
  auto pool_usd_per_hour = [](const PoolSpec& p, const StepTimer& timer) {
    if (p.price.label.empty()) return nan;
    const double systems = static_cast<double>(timer.parallel().devices()) / static_cast<double>(p.hardware.system.chip_count);
    return p.replicas * systems * p.price.usd_per_hour;
  };
  double usd_per_hour = pool_usd_per_hour(pool, decode_timer);
  if (prefill_pool) usd_per_hour += pool_usd_per_hour(*prefill_pool, *prefill_timer);
  s.usd_spent = usd_per_hour * s.duration_s / 3600.0;
  s.usd_per_mtok = s.usd_spent / std::max(1.0, completed_input + s.output_tokens) * 1e6;
  return result;
}

}  // namespace ws
