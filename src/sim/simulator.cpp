#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
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

// Open addressing from 64-bit keys (linear probing, backward-shift deletion, Fibonacci hashing): the
// simulator's lookups without node allocations or a division per probe.
template <typename V>
class FlatMap {
 public:
  V* find(std::uint64_t key) {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.full) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  // Starts loading the slot where a probe for `key` begins (lookups of a request's blocks are independent
  // cache misses; prefetching a few ahead overlaps them).
  void prefetch(std::uint64_t key) const {
    if (size_ != 0) __builtin_prefetch(&slots_[home(key)]);
  }
  // Inserts `key` (absent) with `value`.
  void insert(std::uint64_t key, V value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    std::size_t i = home(key);
    while (slots_[i].full) i = (i + 1) & mask_;
    slots_[i] = Slot{key, value, true};
    ++size_;
  }
  void erase(std::uint64_t key) {
    if (size_ == 0) return;
    std::size_t i = home(key);
    while (true) {
      if (!slots_[i].full) return;
      if (slots_[i].key == key) break;
      i = (i + 1) & mask_;
    }
    // Backward shift: later members of the probe run move up unless their home lies in (i, j].
    for (std::size_t j = (i + 1) & mask_; slots_[j].full; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i].full = false;
    --size_;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    V value{};
    bool full = false;
  };
  std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t n = old.empty() ? 16 : 2 * old.size();
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    shift_ = 64 - static_cast<int>(std::countr_zero(n));
    size_ = 0;
    for (const Slot& s : old)
      if (s.full) insert(s.key, s.value);
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0, mask_ = 0;
  int shift_ = 64;
};

// Step times memoised on a 1/64-octave grid of lengths: an iteration costs a hash lookup, while the value
// still comes from the perf engine's StepTimer.
class StepCache {
 public:
  explicit StepCache(const StepTimer* timer) : timer_(timer) {}
  static int bucket(double x) { return static_cast<int>(std::lround(64.0 * std::log2(std::max(1.0, x)))); }
  static double value(int b) { return std::exp2(b / 64.0); }
  double decode(double sequences, double mean_context) {
    const auto n = static_cast<std::uint64_t>(sequences);
    // Consecutive decode steps mostly share their bucket: inside [last_lo_, last_hi_] the bucket is known
    // without a logarithm (the bounds sit 1e-9 inside the bucket's edges, far beyond log2's rounding).
    if (n == last_n_ && mean_context >= last_lo_ && mean_context <= last_hi_) return last_s_;
    const int b = bucket(mean_context);
    const std::uint64_t key = (n << 32) | static_cast<std::uint32_t>(b);
    double s = 0;
    if (key == last_key_) {
      s = last_s_;
    } else if (const double* found = decode_.find(key)) {
      s = *found;
    } else {
      s = timer_->decode_s(static_cast<double>(n), value(b));
      decode_.insert(key, s);
    }
    last_key_ = key;
    last_s_ = s;
    last_n_ = n;
    last_lo_ = b <= 0 ? -std::numeric_limits<double>::infinity() : std::exp2((b - 0.5) / 64.0) * (1 + 1e-9);
    last_hi_ = std::exp2((b + 0.5) / 64.0) * (1 - 1e-9);
    return s;
  }
  // Mean contexts for which decode(n, .) of the last call's n returns the last call's value.
  void decode_bucket_range(double& lo, double& hi) const {
    lo = last_lo_;
    hi = last_hi_;
  }
  double prefill(double tokens, double past) {
    const std::uint64_t key = (static_cast<std::uint64_t>(bucket(tokens)) << 32) |
                              static_cast<std::uint32_t>(past < 1 ? 0 : bucket(past) + 1);
    if (const double* found = prefill_.find(key)) return *found;
    const double s = timer_->prefill_s(value(bucket(tokens)), past < 1 ? 0.0 : value(bucket(past)));
    prefill_.insert(key, s);
    return s;
  }

 private:
  const StepTimer* timer_;
  FlatMap<double> decode_, prefill_;
  std::uint64_t last_key_ = ~0ull, last_n_ = ~0ull;
  double last_s_ = 0, last_lo_ = 0, last_hi_ = -1;
};

// Least-recently-used set of prefix blocks: an intrusive list over a vector of nodes (most recent at the
// head), found through a flat index.
class PrefixCache {
  static constexpr std::size_t lookahead = 6;

 public:
  explicit PrefixCache(double capacity_blocks) : capacity_(capacity_blocks) {}
  // Leading blocks of `hashes` present in the cache (touching them).
  int match(const std::vector<long long>& hashes) {
    int matched = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(lookahead, hashes.size()); ++i)
      index_.prefetch(static_cast<std::uint64_t>(hashes[i]));
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      const long long h = hashes[i];
      if (i + lookahead < hashes.size()) index_.prefetch(static_cast<std::uint64_t>(hashes[i + lookahead]));
      const int* node = index_.find(static_cast<std::uint64_t>(h));
      if (!node) break;
      to_front(*node);
      ++matched;
    }
    return matched;
  }
  void insert(const std::vector<long long>& hashes) {
    for (std::size_t i = 0; i < std::min<std::size_t>(lookahead, hashes.size()); ++i)
      index_.prefetch(static_cast<std::uint64_t>(hashes[i]));
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      const long long h = hashes[i];
      if (i + lookahead < hashes.size()) index_.prefetch(static_cast<std::uint64_t>(hashes[i + lookahead]));
      if (const int* node = index_.find(static_cast<std::uint64_t>(h))) {
        to_front(*node);
        continue;
      }
      int n = 0;
      if (free_ >= 0) {
        n = free_;
        free_ = nodes_[n].next;
      } else {
        n = static_cast<int>(nodes_.size());
        nodes_.push_back(Node{});
      }
      nodes_[n].key = h;
      link_front(n);
      index_.insert(static_cast<std::uint64_t>(h), n);
      ++size_;
      while (static_cast<double>(size_) > capacity_) {
        const int last = tail_;
        unlink(last);
        index_.erase(static_cast<std::uint64_t>(nodes_[last].key));
        nodes_[last].next = free_;
        free_ = last;
        --size_;
      }
    }
  }

 private:
  struct Node {
    long long key = 0;
    int prev = -1, next = -1;
  };
  void unlink(int n) {
    Node& x = nodes_[n];
    (x.prev >= 0 ? nodes_[x.prev].next : head_) = x.next;
    (x.next >= 0 ? nodes_[x.next].prev : tail_) = x.prev;
  }
  void link_front(int n) {
    nodes_[n].prev = -1;
    nodes_[n].next = head_;
    (head_ >= 0 ? nodes_[head_].prev : tail_) = n;
    head_ = n;
  }
  void to_front(int n) {
    if (n == head_) return;
    unlink(n);
    link_front(n);
  }
  double capacity_;
  std::vector<Node> nodes_;
  FlatMap<int> index_;
  int head_ = -1, tail_ = -1, free_ = -1;
  long long size_ = 0;
};

enum class Role { colocated, prefill, decode };

// Decode steps of one unchanged decode-only batch that end before anything could change the batch (a
// completion, a preemption, a new or newly ready request): they are applied to the replica when something
// reads it (catch_up) instead of each being an event. The step that ends the stretch is a real event.
struct Stretch {
  bool active = false;
  double sequences = 0;
  struct Step {
    double end_s, next_s, new_blocks;  // virtual step m: its end, the next step's time, blocks added
  };
  std::vector<Step> planned;
  std::size_t applied = 0;                         // virtual steps applied so far
  double last_end_s = 0;                           // the end of the real step that closes the stretch
  std::size_t steps() const { return planned.size(); }
};

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
  std::uint64_t serial = 0;  // of the step in flight: its step_done event carries it
  Stretch stretch;
  double prefill_busy_s = 0, decode_busy_s = 0;  // replica-seconds credited when a step starts
  double step_end_s = 0, step_s = 0, step_prefill_s = 0, step_decode_s = 0;  // the step in flight
  double kv_area = 0, kv_changed_s = 0, kv_peak = 0;  // integral of used blocks over time, its last change, peak share
  double outstanding_tokens = 0;
  bool host_tier = false;
  double host_link_bytes_per_s = 0;
};

// q-quantile of `sorted` (ascending): the value at rank ceil(q n).
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return nan;
  const auto rank = static_cast<std::size_t>(std::ceil(q * sorted.size()));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// p50, p90 and p99 of `values` from one sorted copy.
void percentiles(std::vector<double> values, double& p50, double& p90, double& p99) {
  std::sort(values.begin(), values.end());
  p50 = percentile(values, 0.5), p90 = percentile(values, 0.9), p99 = percentile(values, 0.99);
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

namespace {

// Seeded open-loop arrivals drawn one at a time from the raw 64-bit stream (std::*_distribution differ across
// standard libraries): gamma inter-arrivals of mean 1/rate, lengths from the workload's distributions.
class SyntheticArrivals {
 public:
  SyntheticArrivals(const Workload& workload, double rate_per_s, double duration_s, double gamma_shape,
                    unsigned long long seed)
      : workload_(workload), rate_(rate_per_s), duration_(duration_s), shape_(gamma_shape), rng_(seed) {
    if (!(rate_per_s > 0)) throw InputError("rate", "expected a positive number of requests per second");
    if (!(duration_s > 0)) throw InputError("duration", "expected a positive number of seconds");
    if (!(gamma_shape > 0)) throw InputError("burstiness", "expected a positive gamma shape");
  }
  bool next(SimRequest& r) {
    t_ += gamma(shape_) / shape_ / rate_;  // mean 1/rate
    if (t_ > duration_) return false;
    r = SimRequest{};
    r.id = id_++;
    r.arrival_s = t_;
    r.input_tokens = std::max(1.0, std::round(workload_.input_tokens.quantile(uniform())));
    r.output_tokens = std::max(1.0, std::round(workload_.output_tokens.quantile(uniform())));
    r.assumed_cached_tokens = std::round(r.input_tokens * workload_.cached_fraction_of_input());
    return true;
  }

 private:
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform()); }
  double gamma(double k) {  // Marsaglia-Tsang, k >= 1; boost for k < 1
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
  }
  Workload workload_;  // a copy: a stream outlives the caller's
  double rate_, duration_, shape_;
  std::mt19937_64 rng_;
  double t_ = 0;
  long long id_ = 0;
};

}  // namespace

std::vector<SimRequest> synthetic_traffic(const Workload& workload, double rate_per_s, double duration_s,
                                          double gamma_shape, unsigned long long seed) {
  SyntheticArrivals arrivals(workload, rate_per_s, duration_s, gamma_shape, seed);
  std::vector<SimRequest> requests;
  for (SimRequest r; arrivals.next(r);) requests.push_back(std::move(r));
  return requests;
}

Traffic synthetic_stream(const Workload& workload, double rate_per_s, double duration_s, double gamma_shape,
                         unsigned long long seed) {
  Traffic traffic;
  double context = 0;
  SyntheticArrivals first(workload, rate_per_s, duration_s, gamma_shape, seed);
  for (SimRequest r; first.next(r); ++traffic.stream_requests) context += r.input_tokens + r.output_tokens / 2;
  traffic.mean_context_tokens = traffic.stream_requests > 0 ? context / traffic.stream_requests : 4096;
  auto arrivals = std::make_shared<SyntheticArrivals>(workload, rate_per_s, duration_s, gamma_shape, seed);
  traffic.pull = [arrivals](SimRequest& r) { return arrivals->next(r); };
  return traffic;
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

Traffic trace_stream(const std::string& path, double rate_scale) {
  if (!(rate_scale > 0)) throw InputError("rate_scale", "expected a positive number");
  Traffic traffic;
  double context = 0;
  {
    TraceReader first(path);
    for (TraceRequest t; first.next(t); ++traffic.stream_requests)
      context += std::max(1.0, t.input_tokens) + std::max(1.0, t.output_tokens) / 2;
  }
  traffic.mean_context_tokens = traffic.stream_requests > 0 ? context / traffic.stream_requests : 4096;
  auto reader = std::make_shared<TraceReader>(path);
  traffic.pull = [reader, rate_scale, id = 0LL](SimRequest& r) mutable {
    TraceRequest t;
    if (!reader->next(t)) return false;
    r = SimRequest{};
    r.id = id++;
    r.arrival_s = t.arrival_s / rate_scale;
    r.input_tokens = std::max(1.0, t.input_tokens);
    r.output_tokens = std::max(1.0, t.output_tokens);
    r.block_hashes = std::move(t.block_hashes);
    return true;
  };
  return traffic;
}

namespace {

// One simulation run. Requests live in slots while in flight (a finished one goes to the sink and its slot is
// reused), so memory follows the requests in flight, not the trace.
class Simulation {
 public:
  Simulation(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool,
             const std::optional<PoolSpec>& prefill_pool, const SimConfig& config, Traffic traffic,
             const std::function<void(long long, long long)>& progress, const RequestSink& sink);
  SimResult run();

 private:
  // Requests.
  long long store(SimRequest r);
  void issue(SimRequest r, double at);
  bool pull_next_arrival();
  void emit(long long slot);
  // KV accounting (change-driven, so that skipped steps add the same terms as events would).
  void set_used(Replica& rep, double t, double used);
  void set_in_system(long long delta);
  void change_waiting(long long delta);
  // Event handlers.
  void on_arrival(long long slot, const Event& e);
  void on_step_done(int index, const Event& e);
  void on_handover(int index, long long slot, const Event& e);
  void try_start(int index);
  bool admit(int index, long long slot);
  bool grow(Replica& rep, int index, SimRequest& r);
  void release(Replica& rep, SimRequest& r, long long slot);
  void finish(Replica& rep, long long slot);
  void reject(SimRequest& r, std::string reason);
  int route(const std::vector<int>& candidates, const SimRequest& r, const Event& at);
  // Stretches.
  void plan_stretch(int index);
  void catch_up(int index, double time_s, bool inclusive);
  void catch_up_before(int index, const Event& e);
  void cut_stretch(int index);
  void settle_stretch(Replica& rep);
  // Time series and summary.
  void sample(double t);
  void overload(SimSummary& s) const;
  void summarise();
  double blocks_for(double tokens) const { return std::ceil(tokens / config_.kv_block_tokens); }
  double kv_bytes(double tokens) const { return kv_bytes_for_context(model_, pool_.perf.kv, tokens, pool_.perf.honor_windows); }

  const PerfEngine& engine_;
  const ModelSpec& model_;
  const PoolSpec& pool_;
  const std::optional<PoolSpec>& prefill_pool_;
  const SimConfig& config_;
  Traffic traffic_;
  const std::function<void(long long, long long)>& progress_;
  const RequestSink& sink_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Router> router_;
  StepTimer decode_timer_;
  std::optional<StepTimer> prefill_timer_;
  double kv_bytes_per_token_ = 0;
  std::vector<Replica> replicas_;
  std::vector<int> entry_replicas_, decode_replicas_;
  std::vector<SimRequest> slots_;
  std::vector<long long> free_slots_, done_slots_;
  std::vector<long long> live_;  // slot -> 1 while a request occupies it
  EventQueue events_;
  SimResult result_;
  bool closed_ = false, skipping_ = false;
  long long issued_ = 0, total_ = 0, pending_issues_ = 0, next_id_ = 0;
  // Metrics.
  double now_ = 0, last_event_ = 0;
  long long in_system_ = 0, finished_ = 0, preemptions_ = 0, admitted_order_ = 0, waiting_ = 0, waiting_peak_ = 0;
  double in_system_area_ = 0, in_system_changed_s_ = 0, waiting_area_ = 0, waiting_changed_s_ = 0;
  double total_capacity_blocks_ = 0, next_sample_ = 0, sample_interval_s_ = 0;
  double first_arrival_ = std::numeric_limits<double>::infinity(), last_arrival_ = 0, last_finish_ = 0;
  long long arrivals_ = 0;
  std::vector<double> residues_;  // plan_stretch's scratch: batch members per context residue
  double input_tokens_ = 0, output_tokens_ = 0, completed_input_ = 0, cached_ = 0, output_all_ = 0;
  long long requests_ = 0, completed_ = 0, rejected_ = 0, good_ = 0;
  std::vector<SimRequest> kept_;  // without a sink: every request, for result.requests
};

Simulation::Simulation(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool,
                       const std::optional<PoolSpec>& prefill_pool, const SimConfig& config, Traffic traffic,
                       const std::function<void(long long, long long)>& progress, const RequestSink& sink)
    : engine_(engine),
      model_(model),
      pool_(pool),
      prefill_pool_(prefill_pool),
      config_(config),
      traffic_(std::move(traffic)),
      progress_(progress),
      sink_(sink),
      scheduler_(builtin_schedulers().create(config.scheduler)),
      router_(builtin_routers().create(config.router)),
      decode_timer_([&] {
        // Deployments: sized like perf for a closed loop's concurrency, for the weights alone otherwise.
        if (traffic_.closed_loop_concurrency > 0 && traffic_.make_request) {
          const SimRequest probe = traffic_.make_request(0);
          return plan_pool(engine, model, pool, traffic_.closed_loop_concurrency, probe.input_tokens, probe.output_tokens);
        }
        return plan_pool(engine, model, pool, 1, 1, 1);
      }()) {
  if (prefill_pool) prefill_timer_ = plan_pool(engine, model, *prefill_pool, 1, 1, 1);
  closed_ = traffic_.closed_loop_concurrency > 0;
  // Skipping needs whole-token KV blocks (a block boundary is then a residue of the context).
  skipping_ = !config.step_by_step && config.kv_block_tokens == std::floor(config.kv_block_tokens) &&
              config.kv_block_tokens >= 1 && config.kv_block_tokens <= 4096;
  // Mean context of the traffic sets the average KV bytes per token (windows make it length-dependent).
  double mean_context = 0;
  if (closed_ && traffic_.make_request) {
    const SimRequest probe = traffic_.make_request(0);
    mean_context = probe.input_tokens + probe.output_tokens / 2;
  } else if (traffic_.pull) {
    mean_context = traffic_.mean_context_tokens > 0 ? traffic_.mean_context_tokens : 4096;
  } else {
    for (const auto& r : traffic_.requests) mean_context += r.input_tokens + r.output_tokens / 2;
    mean_context = traffic_.requests.empty() ? 4096 : mean_context / traffic_.requests.size();
  }
  kv_bytes_per_token_ = kv_bytes_for_context(model, pool.perf.kv, mean_context, pool.perf.honor_windows) / mean_context;
  auto make_replica = [&](Role role, const PoolSpec& spec, const StepTimer& timer) {
    Replica r;
    r.role = role;
    r.timer = &timer;
    r.steps = std::make_unique<StepCache>(&timer);
    const double usable = timer.parallel().devices() * spec.hardware.chip.main_memory.capacity_bytes *
                          engine.device_class(spec.hardware.chip.device_class).usable_memory_fraction();
    double free_bytes = std::max(0.0, usable - weight_bytes(model, spec.perf.weights));
    r.host_tier = spec.hardware.system.host_memory.has_value();
    const double systems = std::max(1.0, static_cast<double>(timer.parallel().devices()) / spec.hardware.system.chip_count);
    r.host_link_bytes_per_s = spec.hardware.system.host_link_bytes_per_s.value_or(0) * systems;
    double cache_bytes = 0;
    if (config.prefix_cache && role != Role::decode) {
      if (r.host_tier) {
        cache_bytes = spec.hardware.system.host_memory->capacity_bytes * systems;
      } else {
        cache_bytes = free_bytes * config.prefix_cache_share;
        free_bytes -= cache_bytes;
      }
    }
    r.cache = std::make_unique<PrefixCache>(cache_bytes / (kv_bytes_per_token_ * config.prefix_block_tokens));
    r.capacity_blocks = std::floor(free_bytes / (kv_bytes_per_token_ * config.kv_block_tokens));
    return r;
  };
  for (int i = 0; i < pool.replicas; ++i)
    replicas_.push_back(make_replica(prefill_pool ? Role::decode : Role::colocated, pool, decode_timer_));
  for (int i = 0; i < pool.replicas; ++i) (prefill_pool ? decode_replicas_ : entry_replicas_).push_back(i);
  if (prefill_pool)
    for (int i = 0; i < prefill_pool->replicas; ++i) {
      entry_replicas_.push_back(static_cast<int>(replicas_.size()));
      replicas_.push_back(make_replica(Role::prefill, *prefill_pool, *prefill_timer_));
    }
  for (const auto& r : replicas_) total_capacity_blocks_ += r.capacity_blocks;
  sample_interval_s_ = config.sample_interval_s;
  result_.deployment = fmt::format("{} x {} ({} devices, TP {} PP {}){}", pool.replicas, pool.hardware.system.name,
                                   decode_timer_.parallel().devices(), decode_timer_.parallel().tp,
                                   decode_timer_.parallel().pp,
                                   prefill_pool ? fmt::format(" decode + {} x {} prefill", prefill_pool->replicas,
                                                              prefill_pool->hardware.system.name)
                                                : "");
}

long long Simulation::store(SimRequest r) {
  r.prefill_target = r.input_tokens;
  long long slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(r);
    live_[slot] = 1;
  } else {
    slot = static_cast<long long>(slots_.size());
    slots_.push_back(std::move(r));
    live_.push_back(1);
  }
  return slot;
}

void Simulation::issue(SimRequest r, double at) {
  r.id = next_id_++;
  r.arrival_s = at;
  const long long id = r.id;
  events_.push(at, EventKind::arrival, -1, id, store(std::move(r)));
  ++issued_;
}

// Open loop: one arrival at a time is in the event queue; the next is read when it is handled.
bool Simulation::pull_next_arrival() {
  SimRequest r;
  if (!traffic_.pull(r)) return false;
  r.id = next_id_++;
  const double at = r.arrival_s;
  events_.push(at, EventKind::arrival, -1, r.id, store(std::move(r)));
  ++issued_;
  return true;
}

// A request is done: into the summary's sums, then to the sink; its slot is reused after this event.
void Simulation::emit(long long slot) {
  const SimRequest& r = slots_[slot];
  ++requests_;
  input_tokens_ += r.input_tokens;
  output_all_ += r.output_tokens;
  if (r.rejected) {
    ++rejected_;
  } else {
    ++completed_;
    output_tokens_ += r.output_tokens;
    completed_input_ += r.input_tokens;
    cached_ += r.cached_tokens;
    last_finish_ = std::max(last_finish_, r.finish_s);
    const double t_first = r.first_token_s - r.arrival_s + r.kv_handover_s;
    const double t_per = r.output_tokens > 1 ? (r.finish_s - r.first_token_s - r.kv_handover_s) / (r.output_tokens - 1) : 0;
    LatencySamples& l = result_.latencies;
    l.ttft.push_back(t_first);
    if (r.output_tokens > 1) l.tpot.push_back(t_per);
    l.e2e.push_back(r.finish_s - r.arrival_s);
    if (prefill_pool_) l.handover.push_back(r.kv_handover_s);
    const bool ttft_ok = config_.slo_ttft_s <= 0 || t_first <= config_.slo_ttft_s;
    const bool tpot_ok = config_.slo_tpot_s <= 0 || r.output_tokens <= 1 || t_per <= config_.slo_tpot_s;
    good_ += ttft_ok && tpot_ok;
  }
  if (sink_) sink_(r);
  else kept_.push_back(r);
  done_slots_.push_back(slot);
}

void Simulation::set_used(Replica& rep, double t, double used) {
  rep.kv_area += (t - rep.kv_changed_s) * rep.used_blocks;
  rep.kv_changed_s = t;
  rep.used_blocks = used;
  if (rep.capacity_blocks > 0) rep.kv_peak = std::max(rep.kv_peak, used / rep.capacity_blocks);
}

void Simulation::set_in_system(long long delta) {
  in_system_area_ += (now_ - in_system_changed_s_) * static_cast<double>(in_system_);
  in_system_changed_s_ = now_;
  in_system_ += delta;
}

void Simulation::change_waiting(long long delta) {
  if (delta == 0) return;
  waiting_area_ += (now_ - waiting_changed_s_) * static_cast<double>(waiting_);
  waiting_changed_s_ = now_;
  waiting_ += delta;
  waiting_peak_ = std::max(waiting_peak_, waiting_);
}

int Simulation::route(const std::vector<int>& candidates, const SimRequest& r, const Event& at) {
  RouterView view;
  const bool reads = router_->reads_load();
  for (int i : candidates) {
    if (reads) catch_up_before(i, at);
    view.outstanding_tokens.push_back(replicas_[i].outstanding_tokens);
  }
  return candidates[router_->route(r, view)];
}

void Simulation::reject(SimRequest& r, std::string reason) {
  r.rejected = true;
  r.reject_reason = std::move(reason);
  r.finish_s = -1;
  set_in_system(-1);
}

void Simulation::on_arrival(long long slot, const Event& e) {
  SimRequest& r = slots_[slot];
  first_arrival_ = std::min(first_arrival_, r.arrival_s);
  last_arrival_ = std::max(last_arrival_, r.arrival_s);
  ++arrivals_;
  set_in_system(+1);
  const int target = route(entry_replicas_, r, e);
  Replica& rep = replicas_[target];
  const double needed = blocks_for(r.input_tokens + (rep.role == Role::prefill ? 0 : r.output_tokens));
  double decode_capacity = rep.capacity_blocks;
  if (prefill_pool_) decode_capacity = replicas_[decode_replicas_.front()].capacity_blocks;
  if (needed > rep.capacity_blocks || blocks_for(r.input_tokens + r.output_tokens) > decode_capacity) {
    reject(r, fmt::format("needs {:.0f} KV blocks of {:.0f} tokens; a replica holds {:.0f}", needed,
                          config_.kv_block_tokens, std::min(rep.capacity_blocks, decode_capacity)));
    emit(slot);
    return;
  }
  catch_up_before(target, e);
  cut_stretch(target);
  r.replica = target;
  if (rep.role == Role::prefill) r.prefill_replica = target;
  r.ready_s = now_;
  rep.queues.waiting.push_back(slot);
  change_waiting(+1);
  rep.outstanding_tokens += r.input_tokens + r.output_tokens;
  try_start(target);
}

// Admission: KV blocks for the prompt; prefix-cache lookup on entry replicas.
bool Simulation::admit(int index, long long slot) {
  Replica& rep = replicas_[index];
  SimRequest& r = slots_[slot];
  const double held = rep.role == Role::prefill ? r.prefill_target : r.prefill_target + 1;
  const double blocks = blocks_for(held);
  if (rep.used_blocks + blocks > rep.capacity_blocks) return false;
  set_used(rep, now_, rep.used_blocks + blocks);
  r.context_in_kv = held;
  r.admitted_order = ++admitted_order_;
  if (rep.role != Role::decode && config_.prefix_cache && r.prefilled_tokens == 0 &&
      (!r.block_hashes.empty() || r.assumed_cached_tokens > 0)) {
    const double hit = r.block_hashes.empty() ? r.assumed_cached_tokens
                                              : rep.cache->match(r.block_hashes) * config_.prefix_block_tokens;
    r.cached_tokens = std::max(0.0, std::min(hit, r.prefill_target - 1));
    r.prefilled_tokens = r.cached_tokens;
    if (r.cached_tokens > 0 && rep.host_tier) {  // bring the cached prefix's KV back from the host tier
      r.cache_load_s = kv_bytes(r.cached_tokens) / rep.host_link_bytes_per_s;
      r.ready_s = now_ + r.cache_load_s;
      events_.push(r.ready_s, EventKind::ready, index, r.id, slot);
    }
  }
  return true;
}

void Simulation::try_start(int index) {
  Replica& rep = replicas_[index];
  if (rep.busy) return;
  SchedulerLimits limits{config_.token_budget, config_.max_batch, now_};
  const auto waiting_before = static_cast<long long>(rep.queues.waiting.size());
  Batch batch = scheduler_->next_batch(rep.queues, slots_, limits, [&](long long slot) { return admit(index, slot); });
  change_waiting(static_cast<long long>(rep.queues.waiting.size()) - waiting_before);
  if (rep.role == Role::prefill) batch.decode.clear();  // prefill-only pool
  if (batch.empty()) return;
  double duration = 0, decode_s = 0, prefill_s = 0;
  if (!batch.decode.empty()) {
    double context = 0;
    for (long long slot : batch.decode) context += slots_[slot].prefill_target + slots_[slot].generated_tokens;
    decode_s = rep.steps->decode(static_cast<double>(batch.decode.size()), context / batch.decode.size());
    duration += decode_s;
  }
  for (const auto& [slot, chunk] : batch.prefill) {
    const double s = rep.steps->prefill(chunk, slots_[slot].prefilled_tokens);
    duration += s;
    prefill_s += s;
  }
  rep.busy = true;
  rep.batch = std::move(batch);
  rep.decode_busy_s += decode_s;
  rep.prefill_busy_s += prefill_s;
  rep.step_end_s = now_ + duration;
  rep.step_s = duration;
  rep.step_decode_s = decode_s;
  rep.step_prefill_s = prefill_s;
  ++rep.serial;
  ++result_.diagnostics.steps;
  if (skipping_ && rep.batch.prefill.empty()) plan_stretch(index);
  else events_.push(rep.step_end_s, EventKind::step_done, index, -1, -1, rep.serial);
}

void Simulation::release(Replica& rep, SimRequest& r, long long slot) {
  set_used(rep, now_, rep.used_blocks - blocks_for(r.context_in_kv));
  r.context_in_kv = 0;
  auto& running = rep.queues.running;
  running.erase(std::remove(running.begin(), running.end(), slot), running.end());
}

void Simulation::finish(Replica& rep, long long slot) {
  SimRequest& r = slots_[slot];
  r.finish_s = now_;
  if (rep.role != Role::decode && config_.prefix_cache) rep.cache->insert(r.block_hashes);
  release(rep, r, slot);
  set_in_system(-1);
  ++finished_;
  emit(slot);
  if (closed_) ++pending_issues_;
}

// A decode step needs one more KV slot per request; when blocks run out, the latest admitted request is
// preempted: swapped to the host tier when the system has one (its KV goes out and comes back over the
// host link), recomputed otherwise.
bool Simulation::grow(Replica& rep, int index, SimRequest& r) {
  const double more = blocks_for(r.context_in_kv + 1) - blocks_for(r.context_in_kv);
  while (rep.used_blocks + more > rep.capacity_blocks) {
    long long victim = -1;
    for (long long slot : rep.queues.running)
      if (slots_[slot].id != r.id && (victim < 0 || slots_[slot].admitted_order > slots_[victim].admitted_order))
        victim = slot;
    if (victim < 0) return false;
    SimRequest& v = slots_[victim];
    ++preemptions_;
    ++v.preemptions;
    const double context = v.context_in_kv;
    release(rep, v, victim);
    if (rep.host_tier && rep.host_link_bytes_per_s > 0) {
      v.ready_s = now_ + 2 * kv_bytes(context) / rep.host_link_bytes_per_s;
      events_.push(v.ready_s, EventKind::ready, index, v.id, victim);
    } else {  // recompute: prefill the prompt and the tokens generated so far again
      v.prefill_target = v.input_tokens + v.generated_tokens;
      v.prefilled_tokens = 0;
      v.cached_tokens = 0;
    }
    rep.queues.waiting.push_front(victim);
    change_waiting(+1);
  }
  if (more != 0) set_used(rep, now_, rep.used_blocks + more);
  r.context_in_kv += 1;
  return true;
}

void Simulation::on_step_done(int index, const Event& e) {
  Replica& rep = replicas_[index];
  if (rep.stretch.active) {  // the step that closes a stretch: apply the skipped ones first
    catch_up(index, e.time_s, true);
    settle_stretch(rep);
  }
  rep.busy = false;
  Batch batch = std::move(rep.batch);
  for (const auto& [slot, chunk] : batch.prefill) {
    SimRequest& r = slots_[slot];
    r.prefilled_tokens += chunk;
    rep.outstanding_tokens -= chunk;
    if (!r.prefill_done()) continue;
    if (r.first_token_s < 0) {  // the last prefill chunk produces the first output token
      r.first_token_s = now_;
      r.generated_tokens = 1;
      rep.outstanding_tokens -= 1;
    }
    if (rep.role == Role::prefill) {  // hand the KV to a decode replica
      const int target = route(decode_replicas_, r, e);
      const Replica& decode = replicas_[target];
      const double link = std::min(
          rep.timer->hardware().chip.link_bytes_per_s(true) * rep.timer->parallel().devices(),
          decode.timer->hardware().chip.link_bytes_per_s(true) * decode.timer->parallel().devices());
      r.kv_handover_s = config_.switch_hops * config_.switch_hop_latency_s + kv_bytes(r.prefill_target) / link;
      if (config_.prefix_cache) rep.cache->insert(r.block_hashes);
      release(rep, r, slot);
      rep.outstanding_tokens -= r.output_tokens - r.generated_tokens;
      r.replica = target;
      events_.push(now_ + r.kv_handover_s, EventKind::handover_done, target, r.id, slot);
    } else if (r.generated_tokens >= r.output_tokens) {
      finish(rep, slot);
    }
  }
  for (long long slot : batch.decode) {
    SimRequest& r = slots_[slot];
    if (r.done() || r.context_in_kv == 0) continue;  // preempted during this step's growth
    if (!grow(rep, index, r)) continue;
    r.generated_tokens += 1;
    rep.outstanding_tokens -= 1;
    if (r.generated_tokens >= r.output_tokens) finish(rep, slot);
  }
  try_start(index);
}

void Simulation::on_handover(int index, long long slot, const Event& e) {
  Replica& rep = replicas_[index];
  SimRequest& r = slots_[slot];
  r.prefilled_tokens = r.prefill_target;  // its KV arrived whole
  r.ready_s = now_;
  if (r.generated_tokens >= r.output_tokens) {  // a one-token answer is done at prefill
    r.finish_s = now_;
    set_in_system(-1);
    ++finished_;
    emit(slot);
    if (closed_) ++pending_issues_;
    return;
  }
  catch_up_before(index, e);
  cut_stretch(index);
  rep.queues.waiting.push_back(slot);
  change_waiting(+1);
  rep.outstanding_tokens += r.output_tokens - r.generated_tokens;
  try_start(index);
}

// The batch just started is decode-only: find how many of its steps nothing can interrupt (no completion,
// KV blocks to spare) and schedule only the step after them; their times are the step-by-step ones, summed
// in the same order, from the same memoised step times.
void Simulation::plan_stretch(int index) {
  constexpr long long max_steps = 4096;  // bounds the work a cut-short stretch throws away
  Replica& rep = replicas_[index];
  Stretch& st = rep.stretch;
  const auto& members = rep.batch.decode;
  const auto block = static_cast<long long>(config_.kv_block_tokens);
  if (residues_.size() < static_cast<std::size_t>(block)) residues_.assign(block, 0);
  double to_finish = std::numeric_limits<double>::infinity(), context = 0;
  for (long long slot : members) {
    const SimRequest& r = slots_[slot];
    to_finish = std::min(to_finish, r.output_tokens - r.generated_tokens);
    context += r.prefill_target + r.generated_tokens;
    residues_[static_cast<long long>(r.context_in_kv) % block] += 1;
  }
  const auto n = static_cast<double>(members.size());
  st.planned.clear();
  double t = rep.step_end_s, used = rep.used_blocks;
  // After step m a request whose context was c + m - 1 on a block boundary takes a new block: the residue
  // (block - (m - 1) % block) % block, walked down from 0 one step at a time.
  long long residue = 0;
  const double capacity = rep.capacity_blocks;
  StepCache& steps = *rep.steps;
  // The step time is StepCache::decode's; while the mean context stays inside the bucket it last looked
  // up, that value without the call.
  double d = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  st.planned.reserve(static_cast<std::size_t>(std::clamp(to_finish, 1.0, static_cast<double>(max_steps))));
  for (long long m = 1; m < to_finish && m < max_steps; ++m) {
    const double crossing = residues_[residue];
    residue = residue == 0 ? block - 1 : residue - 1;
    if (used + crossing > capacity) break;
    used += crossing;
    context += n;
    const double x = context / n;
    if (!(x >= lo && x <= hi)) {
      d = steps.decode(n, x);
      steps.decode_bucket_range(lo, hi);
    }
    st.planned.push_back({t, d, crossing});
    t += d;
  }
  for (long long slot : members) residues_[static_cast<long long>(slots_[slot].context_in_kv) % block] = 0;
  st.active = !st.planned.empty();
  result_.diagnostics.stretches += st.active;
  st.applied = 0;
  st.sequences = n;
  st.last_end_s = t;
  events_.push(t, EventKind::step_done, index, -1, -1, rep.serial);
}

// Applies the skipped steps that end before `time_s` (or at it, when `inclusive`).
void Simulation::catch_up(int index, double time_s, bool inclusive) {
  Replica& rep = replicas_[index];
  Stretch& st = rep.stretch;
  if (!st.active) return;
  const std::size_t first = st.applied, total = st.steps();
  const Stretch::Step* planned = st.planned.data();
  double busy = rep.decode_busy_s, outstanding = rep.outstanding_tokens;  // summed as step by step
  std::size_t k = first;
  for (; k < total; ++k) {
    const Stretch::Step& step = planned[k];
    if (inclusive ? step.end_s > time_s : step.end_s >= time_s) break;
    if (step.new_blocks > 0) set_used(rep, step.end_s, rep.used_blocks + step.new_blocks);
    outstanding -= st.sequences;
    busy += step.next_s;
  }
  if (k == first) return;
  const Stretch::Step& last = planned[k - 1];
  rep.decode_busy_s = busy;
  rep.outstanding_tokens = outstanding;
  rep.step_end_s = last.end_s + last.next_s;
  rep.step_s = last.next_s;
  rep.step_decode_s = last.next_s;
  rep.step_prefill_s = 0;
  st.applied = k;
  result_.diagnostics.skipped_steps += static_cast<long long>(k - first);
}

// Applies the skipped steps that come before event `e` in the event order.
void Simulation::catch_up_before(int index, const Event& e) {
  catch_up(index, e.time_s, precedes(e.time_s, EventKind::step_done, index, -1, e));
}

// Something is about to change what replica `index` runs next: the step in flight ends as a real event.
void Simulation::cut_stretch(int index) {
  Replica& rep = replicas_[index];
  if (!rep.stretch.active) return;
  const bool closing_step = rep.stretch.applied == rep.stretch.steps();
  settle_stretch(rep);
  if (closing_step) return;  // its event is already there
  ++result_.diagnostics.stretches_cut;
  ++rep.serial;              // the closing step's event goes stale
  events_.push(rep.step_end_s, EventKind::step_done, index, -1, -1, rep.serial);
}

// The requests of a stretch take the tokens of its applied steps.
void Simulation::settle_stretch(Replica& rep) {
  const auto steps = static_cast<double>(rep.stretch.applied);
  for (long long slot : rep.batch.decode) {
    slots_[slot].generated_tokens += steps;
    slots_[slot].context_in_kv += steps;
  }
  rep.stretch.active = false;
}

void Simulation::sample(double t) {
  // 100,000 points: a chart cannot show more, and the CSV stays a few MB.
  constexpr std::size_t max_time_samples = 100000;
  auto& series = result_.series;
  while (next_sample_ <= t && sample_interval_s_ > 0) {
    TimeSample s;
    s.time_s = next_sample_;
    double used = 0;
    for (int i = 0; i < static_cast<int>(replicas_.size()); ++i) {
      catch_up(i, s.time_s, false);
      const Replica& r = replicas_[i];
      s.waiting += static_cast<double>(r.queues.waiting.size());
      s.running += static_cast<double>(r.queues.running.size());
      used += r.used_blocks;
      // Busy replica-seconds up to this instant: the step in flight counts for its part before it.
      const double after = r.busy && r.step_s > 0 ? std::clamp((r.step_end_s - s.time_s) / r.step_s, 0.0, 1.0) : 0.0;
      s.prefill_busy_s += r.prefill_busy_s - after * r.step_prefill_s;
      s.decode_busy_s += r.decode_busy_s - after * r.step_decode_s;
    }
    s.in_system = static_cast<double>(in_system_);
    s.kv_occupancy = total_capacity_blocks_ > 0 ? used / total_capacity_blocks_ : 0;
    series.push_back(s);
    next_sample_ += sample_interval_s_;
    // A long run keeps at most max_time_samples samples: past that, every other one goes and the interval
    // doubles (memory and the CSV stay bounded whatever the trace's span; deterministic).
    if (series.size() >= max_time_samples) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < series.size(); i += 2) series[kept++] = series[i];
      series.resize(kept);
      sample_interval_s_ *= 2;
      next_sample_ = series.back().time_s + sample_interval_s_;
    }
  }
}

SimResult Simulation::run() {
  if (closed_) {
    if (!traffic_.make_request) throw InputError("concurrency", "closed loop needs a workload to draw requests from");
    total_ = traffic_.closed_loop_requests;
    // Clients start together but their first requests are cut to 1/C, 2/C, ... of the output length, so that
    // completions (and the next prefills) spread evenly over time as in a long-running closed loop.
    const int clients = traffic_.closed_loop_concurrency;
    for (int i = 0; i < clients && issued_ < total_; ++i) {
      SimRequest first = traffic_.make_request(issued_);
      first.output_tokens = std::max(1.0, std::round(first.output_tokens * (i + 1) / clients));
      issue(std::move(first), 0.0);
    }
  } else {
    if (!traffic_.pull) {
      total_ = static_cast<long long>(traffic_.requests.size());
      auto list = std::make_shared<std::vector<SimRequest>>(std::move(traffic_.requests));
      traffic_.pull = [list, next = std::size_t{0}](SimRequest& r) mutable {
        if (next == list->size()) return false;
        r = std::move((*list)[next++]);
        return true;
      };
    } else {
      total_ = traffic_.stream_requests;
    }
    pull_next_arrival();
  }
  long long processed = 0;
  while (!events_.empty()) {
    const Event e = events_.pop();
    if (e.kind == EventKind::step_done && e.serial != replicas_[e.replica].serial) continue;  // a stretch cut short
    ++result_.diagnostics.events;
    sample(e.time_s);
    now_ = last_event_ = e.time_s;
    switch (e.kind) {
      case EventKind::arrival: on_arrival(e.slot, e); break;
      case EventKind::step_done: on_step_done(e.replica, e); break;
      case EventKind::ready:
        catch_up_before(e.replica, e);
        cut_stretch(e.replica);
        try_start(e.replica);
        break;
      case EventKind::handover_done: on_handover(e.replica, e.slot, e); break;
    }
    if (e.kind == EventKind::arrival && !closed_) pull_next_arrival();
    for (; pending_issues_ > 0; --pending_issues_)
      if (issued_ < total_) issue(traffic_.make_request(issued_), now_);
    for (long long slot : done_slots_) {
      slots_[slot] = SimRequest{};  // frees its block hashes
      live_[slot] = 0;
      free_slots_.push_back(slot);
    }
    done_slots_.clear();
    if (progress_ && (++processed & 0xFFFFF) == 0) progress_(finished_, total_);
  }
  if (progress_) progress_(finished_, total_);
  // Anything still waiting could never be admitted.
  std::vector<long long> stuck;
  for (std::size_t slot = 0; slot < slots_.size(); ++slot)
    if (live_[slot]) stuck.push_back(static_cast<long long>(slot));
  std::sort(stuck.begin(), stuck.end(), [&](long long a, long long b) { return slots_[a].id < slots_[b].id; });
  for (long long slot : stuck) {
    slots_[slot].rejected = true;
    slots_[slot].reject_reason = "never admitted: KV memory held by other requests until the end";
    emit(slot);
  }
  summarise();
  std::sort(kept_.begin(), kept_.end(), [](const SimRequest& a, const SimRequest& b) { return a.id < b.id; });
  result_.requests = std::move(kept_);
  return std::move(result_);
}

// What the deployment sustains for this traffic, in requests per second: replica-seconds per request of
// prefill as measured, and of decode at the largest batch that KV memory and max_batch allow, at the mean
// context. Against the offered arrival rate, it says whether (and by how much) a run is overloaded.
void Simulation::overload(SimSummary& s) const {
  s.offered_rps = s.sustainable_rps = s.load_ratio = nan;
  if (closed_ || arrivals_ < 2 || !(last_arrival_ > first_arrival_) || requests_ == 0) return;
  s.offered_rps = static_cast<double>(arrivals_ - 1) / (last_arrival_ - first_arrival_);
  double prefill_s = 0, entry = 0, decode = 0;
  for (int i : entry_replicas_) prefill_s += replicas_[i].prefill_busy_s, entry += 1;
  const double prefill_per_request = prefill_s / std::max<long long>(1, completed_);
  const double mean_in = input_tokens_ / requests_, mean_out = output_all_ / requests_;
  const Replica& d = replicas_[prefill_pool_ ? decode_replicas_.front() : entry_replicas_.front()];
  const double blocks = std::max(1.0, blocks_for(mean_in + mean_out / 2));
  const double batch = std::clamp(std::floor(d.capacity_blocks / blocks), 1.0, static_cast<double>(config_.max_batch));
  const double decode_per_request = mean_out * decode_timer_.decode_s(batch, mean_in + mean_out / 2) / batch;
  decode = static_cast<double>(pool_.replicas);
  s.sustainable_rps = prefill_pool_ ? std::min(entry / prefill_per_request, decode / decode_per_request)
                                    : decode / (prefill_per_request + decode_per_request);
  s.load_ratio = s.offered_rps / s.sustainable_rps;
  if (s.load_ratio > 1)
    s.overload_warning = fmt::format(
        "overloaded: {:.4g} requests/s offered is {:.2f}x the {:.4g}/s this deployment sustains for these lengths "
        "(decode batches of {:.0f}); the queue peaked at {} waiting and latency grows with the run",
        s.offered_rps, s.load_ratio, s.sustainable_rps, batch, waiting_peak_);
}

void Simulation::summarise() {
  SimSummary& s = result_.summary;
  const LatencySamples& l = result_.latencies;
  s.requests = requests_;
  s.completed = completed_;
  s.rejected = rejected_;
  s.input_tokens = input_tokens_;
  s.output_tokens = output_tokens_;
  const double first_arrival = requests_ > 0 && std::isfinite(first_arrival_) ? first_arrival_ : 0;
  s.duration_s = std::max(1e-12, last_finish_ - first_arrival);
  percentiles(l.ttft, s.ttft_p50, s.ttft_p90, s.ttft_p99);
  percentiles(l.tpot, s.tpot_p50, s.tpot_p90, s.tpot_p99);
  percentiles(l.e2e, s.e2e_p50, s.e2e_p90, s.e2e_p99);
  s.ttft_mean = mean_of(l.ttft), s.tpot_mean = mean_of(l.tpot), s.e2e_mean = mean_of(l.e2e);
  s.output_tokens_per_s = s.output_tokens / s.duration_s;
  s.total_tokens_per_s = (completed_input_ + s.output_tokens) / s.duration_s;
  s.goodput = (config_.slo_ttft_s > 0 || config_.slo_tpot_s > 0) && s.completed > 0 ? static_cast<double>(good_) / s.completed : nan;
  // Replica time: prefill, decode (a mixed batch splits by its parts' step times) and idle.
  double prefill = 0, decode = 0, kv_area = 0;
  for (const auto& r : replicas_) {
    prefill += r.prefill_busy_s;
    decode += r.decode_busy_s;
    kv_area += r.kv_area + (last_event_ - r.kv_changed_s) * r.used_blocks;
    s.kv_occupancy_peak = std::max(s.kv_occupancy_peak, r.kv_peak);
  }
  const double replica_time = static_cast<double>(replicas_.size()) * s.duration_s;
  s.prefill_share = prefill / replica_time;
  s.decode_share = decode / replica_time;
  s.utilization = s.prefill_share + s.decode_share;
  s.idle_share = std::max(0.0, 1 - s.utilization);  // rounding leaves -1e-15 on a saturated run
  s.kv_occupancy_mean = total_capacity_blocks_ > 0 ? kv_area / total_capacity_blocks_ / std::max(1e-12, last_event_) : 0;
  s.preemptions = preemptions_;
  s.prefix_hit_ratio = completed_input_ > 0 ? cached_ / completed_input_ : 0;
  s.kv_handover_mean_s = prefill_pool_ ? mean_of(l.handover) : nan;
  const double span = std::max(1e-12, last_event_ - first_arrival);
  s.mean_in_system = (in_system_area_ + (last_event_ - in_system_changed_s_) * static_cast<double>(in_system_)) / span;
  s.waiting_mean = (waiting_area_ + (last_event_ - waiting_changed_s_) * static_cast<double>(waiting_)) / span;
  s.waiting_peak = static_cast<double>(waiting_peak_);
  s.littles_law_product = s.completed / span * s.e2e_mean;
  overload(s);
  // Systems are priced as fractions: a TP 4 replica on an 8-GPU system occupies half of it. No price, no cost.
  auto pool_usd_per_hour = [](const PoolSpec& p, const StepTimer& timer) {
    if (p.price.label.empty()) return nan;
    const double systems = static_cast<double>(timer.parallel().devices()) / static_cast<double>(p.hardware.system.chip_count);
    return p.replicas * systems * p.price.usd_per_hour;
  };
  double usd_per_hour = pool_usd_per_hour(pool_, decode_timer_);
  if (prefill_pool_) usd_per_hour += pool_usd_per_hour(*prefill_pool_, *prefill_timer_);
  s.usd_spent = usd_per_hour * s.duration_s / 3600.0;
  s.usd_per_mtok = s.usd_spent / std::max(1.0, completed_input_ + s.output_tokens) * 1e6;
  // Each sample's shares of replica time over the interval since the one before.
  auto& series = result_.series;
  for (std::size_t i = 1; i < series.size(); ++i) {
    const double span_i = (series[i].time_s - series[i - 1].time_s) * static_cast<double>(replicas_.size());
    if (!(span_i > 0)) continue;
    series[i].prefill_share = (series[i].prefill_busy_s - series[i - 1].prefill_busy_s) / span_i;
    series[i].decode_share = (series[i].decode_busy_s - series[i - 1].decode_busy_s) / span_i;
    series[i].idle_share = std::max(0.0, 1 - series[i].prefill_share - series[i].decode_share);
  }
}

}  // namespace

SimResult simulate(const PerfEngine& engine, const ModelSpec& model, const PoolSpec& pool,
                   const std::optional<PoolSpec>& prefill_pool, const SimConfig& config, Traffic traffic,
                   const std::function<void(long long, long long)>& progress, const RequestSink& sink) {
  if (pool.replicas < 1) throw InputError("replicas", "expected at least 1");
  if (prefill_pool && prefill_pool->replicas < 1) throw InputError("prefill_replicas", "expected at least 1");
  if (!(config.token_budget >= 1)) throw InputError("token_budget", "expected at least 1 token");
  if (config.max_batch < 1) throw InputError("max_batch", "expected at least 1");
  Simulation simulation(engine, model, pool, prefill_pool, config, std::move(traffic), progress, sink);
  return simulation.run();
}

}  // namespace ws
