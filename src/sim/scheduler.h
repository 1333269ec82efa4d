#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/request.h"

namespace ws {

// What one replica runs in its next iteration.
struct Batch {
  std::vector<long long> decode;                          // requests that emit one token each
  std::vector<std::pair<long long, double>> prefill;      // (request, new tokens this iteration)
  bool empty() const { return decode.empty() && prefill.empty(); }
};

// The replica state a scheduler sees and may change (admission moves requests from waiting to running).
struct ReplicaQueues {
  std::deque<long long> waiting;   // admitted to this replica, not yet holding KV
  std::vector<long long> running;  // holding KV: prefilling or decoding
};

struct SchedulerLimits {
  double token_budget = 8192;  // new prefill tokens per iteration (chunked prefill)
  int max_batch = 512;         // running requests
  double now_s = 0;
};

// Chooses each iteration's batch. `admit(id)` asks the KV manager for room for a waiting request and returns
// false when there is none. Implementations are pure policy: no clock, no randomness.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string name() const = 0;
  virtual Batch next_batch(ReplicaQueues& queues, std::vector<SimRequest>& requests, const SchedulerLimits& limits,
                           const std::function<bool(long long)>& admit) = 0;
};

// Schedulers by name, filled by one explicit list.
class SchedulerRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Scheduler>()>;
  void add(const std::string& name, Factory factory) { factories_[name] = std::move(factory); }
  std::unique_ptr<Scheduler> create(const std::string& name) const;  // InputError listing the names
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Factory> factories_;
};
void register_builtin_schedulers(SchedulerRegistry& registry);
const SchedulerRegistry& builtin_schedulers();

// Routers pick a replica for an arriving request.
struct RouterView {
  std::vector<double> outstanding_tokens;  // per replica: tokens still to prefill or decode
};
class Router {
 public:
  virtual ~Router() = default;
  virtual std::string name() const = 0;
  virtual int route(const SimRequest& request, const RouterView& view) = 0;
  // False when route() never reads the view's loads (the simulator then need not bring them up to date).
  virtual bool reads_load() const { return true; }
};
class RouterRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Router>()>;
  void add(const std::string& name, Factory factory) { factories_[name] = std::move(factory); }
  std::unique_ptr<Router> create(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Factory> factories_;
};
void register_builtin_routers(RouterRegistry& registry);
const RouterRegistry& builtin_routers();

}  // namespace ws
