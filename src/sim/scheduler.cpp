#include "sim/scheduler.h"

#include <algorithm>

#include "core/error.h"

namespace ws {

namespace {

// Continuous batching with chunked prefill (vLLM / Sarathi-Serve): every running request that has finished
// its prefill decodes one token; prefills (running ones first, then newly admitted, in queue order) take
// chunks from a per-iteration token budget.
class ContinuousScheduler : public Scheduler {
 public:
  explicit ContinuousScheduler(bool shortest_first = false) : shortest_first_(shortest_first) {}
  std::string name() const override { return shortest_first_ ? "priority" : "continuous"; }
  Batch next_batch(ReplicaQueues& q, std::vector<SimRequest>& requests, const SchedulerLimits& limits,
                   const std::function<bool(long long)>& admit) override {
    Batch batch;
    double budget = limits.token_budget;
    for (long long id : q.running) {
      const SimRequest& r = requests[id];
      if (r.ready_s > limits.now_s) continue;
      if (r.prefill_done()) batch.decode.push_back(id);
    }
    for (long long id : q.running) {
      const SimRequest& r = requests[id];
      if (r.ready_s > limits.now_s || r.prefill_done() || budget <= 0) continue;
      const double chunk = std::min(budget, r.prefill_target - r.prefilled_tokens);
      batch.prefill.emplace_back(id, chunk);
      budget -= chunk;
    }
    if (shortest_first_)  // priority: the shortest prompt first (SJF on prefill work)
      std::stable_sort(q.waiting.begin(), q.waiting.end(), [&](long long a, long long b) {
        return requests[a].input_tokens < requests[b].input_tokens;
      });
    while (!q.waiting.empty() && static_cast<int>(q.running.size()) < limits.max_batch) {
      const long long id = q.waiting.front();
      if (requests[id].ready_s > limits.now_s || !admit(id)) break;
      q.waiting.pop_front();
      q.running.push_back(id);
      const SimRequest& r = requests[id];
      if (r.prefill_done()) {
        batch.decode.push_back(id);
      } else if (budget > 0) {
        const double chunk = std::min(budget, r.prefill_target - r.prefilled_tokens);
        batch.prefill.emplace_back(id, chunk);
        budget -= chunk;
      }
    }
    return batch;
  }

 private:
  bool shortest_first_;
};

// Static batching: admit a batch only when the replica is empty; prefill it whole, decode until all finish.
class StaticScheduler : public Scheduler {
 public:
  std::string name() const override { return "static"; }
  Batch next_batch(ReplicaQueues& q, std::vector<SimRequest>& requests, const SchedulerLimits& limits,
                   const std::function<bool(long long)>& admit) override {
    Batch batch;
    if (q.running.empty()) {
      while (!q.waiting.empty() && static_cast<int>(q.running.size()) < limits.max_batch) {
        const long long id = q.waiting.front();
        if (requests[id].ready_s > limits.now_s || !admit(id)) break;
        q.waiting.pop_front();
        q.running.push_back(id);
      }
    }
    for (long long id : q.running) {
      const SimRequest& r = requests[id];
      if (r.ready_s > limits.now_s) continue;
      if (r.prefill_done()) batch.decode.push_back(id);
      else batch.prefill.emplace_back(id, r.prefill_target - r.prefilled_tokens);
    }
    return batch;
  }
};

class RoundRobinRouter : public Router {
 public:
  std::string name() const override { return "round_robin"; }
  int route(const SimRequest&, const RouterView& view) override {
    return static_cast<int>(next_++ % view.outstanding_tokens.size());
  }
  bool reads_load() const override { return false; }

 private:
  unsigned long long next_ = 0;
};

class LeastOutstandingRouter : public Router {
 public:
  std::string name() const override { return "least_outstanding"; }
  int route(const SimRequest&, const RouterView& view) override {
    return static_cast<int>(std::min_element(view.outstanding_tokens.begin(), view.outstanding_tokens.end()) -
                            view.outstanding_tokens.begin());
  }
};

// Requests sharing their first prefix block go to the same replica (its prefix cache holds that prefix).
class PrefixAffinityRouter : public Router {
 public:
  std::string name() const override { return "prefix_affinity"; }
  int route(const SimRequest& request, const RouterView& view) override {
    if (request.block_hashes.empty()) return least_.route(request, view);
    // The first few blocks identify a session (the very first is often a prompt shared by all of them).
    unsigned long long key = 0;
    const std::size_t blocks = std::min<std::size_t>(4, request.block_hashes.size());
    for (std::size_t i = 0; i < blocks; ++i)
      key = (key ^ static_cast<unsigned long long>(request.block_hashes[i])) * 0x9E3779B97F4A7C15ull;
    return static_cast<int>((key >> 17) % view.outstanding_tokens.size());
  }

 private:
  LeastOutstandingRouter least_;
};

template <typename Factories>
std::vector<std::string> keys(const Factories& factories) {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories) names.push_back(name);
  return names;
}

}  // namespace

std::unique_ptr<Scheduler> SchedulerRegistry::create(const std::string& name) const {
  auto it = factories_.find(to_lower(name));
  if (it == factories_.end()) throw InputError("scheduler", unknown_name_message("scheduler", name, names(), ""));
  return it->second();
}
std::vector<std::string> SchedulerRegistry::names() const { return keys(factories_); }

void register_builtin_schedulers(SchedulerRegistry& registry) {
  registry.add("continuous", [] { return std::make_unique<ContinuousScheduler>(false); });
  registry.add("priority", [] { return std::make_unique<ContinuousScheduler>(true); });
  registry.add("static", [] { return std::make_unique<StaticScheduler>(); });
}

const SchedulerRegistry& builtin_schedulers() {
  static const SchedulerRegistry registry = [] {
    SchedulerRegistry r;
    register_builtin_schedulers(r);
    return r;
  }();
  return registry;
}

std::unique_ptr<Router> RouterRegistry::create(const std::string& name) const {
  auto it = factories_.find(to_lower(name));
  if (it == factories_.end()) throw InputError("router", unknown_name_message("router", name, names(), ""));
  return it->second();
}
std::vector<std::string> RouterRegistry::names() const { return keys(factories_); }

void register_builtin_routers(RouterRegistry& registry) {
  registry.add("round_robin", [] { return std::make_unique<RoundRobinRouter>(); });
  registry.add("least_outstanding", [] { return std::make_unique<LeastOutstandingRouter>(); });
  registry.add("prefix_affinity", [] { return std::make_unique<PrefixAffinityRouter>(); });
}

const RouterRegistry& builtin_routers() {
  static const RouterRegistry registry = [] {
    RouterRegistry r;
    register_builtin_routers(r);
    return r;
  }();
  return registry;
}

}  // namespace ws
