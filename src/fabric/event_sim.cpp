#include "fabric/event_sim.h"

#include <algorithm>
#include <stdexcept>

namespace ws::fabric {

void CriticalPath::append(const CriticalPath& later) {
  hops += later.hops;
  bytes += later.bytes;
  messages += later.messages;
  cycles = std::max(cycles, later.cycles);
  routers.insert(routers.end(), later.routers.begin(), later.routers.end());
}

CriticalPath CriticalPath::translated(int rows, int cols) const {
  CriticalPath out = *this;
  for (auto& r : out.routers) {
    r.row += rows;
    r.col += cols;
  }
  return out;
}

int EventSim::add_task(Coord core, Stream local, int inputs, double op_cycles, double compute_cycles) {
  Task t;
  t.core = core;
  t.local = local;
  t.pending = inputs;
  t.op_cycles = op_cycles;
  t.compute_cycles = compute_cycles;
  tasks_.push_back(std::move(t));
  return static_cast<int>(tasks_.size()) - 1;
}

int EventSim::add_message(int from, std::vector<int> to, double bytes) {
  Message m;
  m.from = from;
  m.source = tasks_.at(from).core;
  m.to = std::move(to);
  m.bytes = bytes;
  m.wavelets = wavelets(mesh_.fabric(), bytes);
  messages_.push_back(std::move(m));
  const int id = static_cast<int>(messages_.size()) - 1;
  tasks_[from].sends.push_back(id);
  return id;
}

int EventSim::add_router_message(Coord at, Stream at_router, std::vector<int> to, double bytes) {
  Message m;
  m.source = at;
  m.injected = at_router;
  m.to = std::move(to);
  m.bytes = bytes;
  m.wavelets = wavelets(mesh_.fabric(), bytes);
  messages_.push_back(std::move(m));
  return static_cast<int>(messages_.size()) - 1;
}

void EventSim::push(int level, int kind, int id, int k) {
  heap_.push_back(Event{level, id, kind, k});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

std::uint64_t EventSim::link_id(Coord core, int port) const {
  return (static_cast<std::uint64_t>(core.row) * static_cast<std::uint64_t>(mesh_.region().cols) +
          static_cast<std::uint64_t>(core.col)) * 6u + static_cast<std::uint64_t>(port);
}

// One resource passes one wavelet per cycle: the stream waits for the previous tail, then takes at least W cycles.
Stream EventSim::pass(std::uint64_t link, double latency, Stream s, double w) {
  auto [it, inserted] = link_free_.try_emplace(link, -std::numeric_limits<double>::infinity());
  const double head = std::max(s.head, it->second);
  const double tail = std::max(s.tail, head + w);
  it->second = tail;
  return {head + latency, tail + latency};
}

void EventSim::run() {
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t)
    if (tasks_[t].pending == 0) finish(t);
  for (int m = 0; m < static_cast<int>(messages_.size()); ++m)
    if (messages_[m].from < 0) push(0, 0, m, 0);
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event e = heap_.back();
    heap_.pop_back();
    ++events_;
    if (e.kind == 0)
      send(e.id);
    else
      deliver(e.id, e.k);
  }
  for (const auto& t : tasks_)
    if (t.pending > 0) throw std::logic_error("fabric schedule: a task never received all its inputs");
}

void EventSim::finish(int task) {
  Task& t = tasks_[task];
  if (t.compute_cycles > 0) {
    const double begin = std::max(t.local.tail, t.in.tail);
    t.out = {begin + t.compute_cycles, begin + t.compute_cycles};
  } else {
    t.out = {std::max(t.local.head, t.in.head) + t.op_cycles, std::max(t.local.tail, t.in.tail) + t.op_cycles};
  }
  for (int m : t.sends) {
    messages_[m].level = t.level;
    push(t.level, 0, m, 0);
  }
}

void EventSim::send(int id) {
  Message& m = messages_[id];
  const WaferFabric& f = mesh_.fabric();
  Stream s;
  if (m.from >= 0)
    s = pass(link_id(m.source, 4), f.ramp_latency_cycles, tasks_[m.from].out, m.wavelets);  // ramp out
  else
    s = m.injected;
  m.path.assign(1, m.source);
  for (int to : m.to) {
    append_xy_path(m.path, m.path.back(), tasks_[to].core);
    m.delivery_at.push_back(static_cast<int>(m.path.size()) - 1);
  }
  m.at_router.resize(m.to.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < m.path.size() && k < m.to.size(); ++i) {
    if (i > 0) {
      const Coord a = m.path[i - 1], b = m.path[i];
      const int port = b.col > a.col ? 0 : b.col < a.col ? 1 : b.row > a.row ? 2 : 3;  // E W S N out of a
      s = pass(link_id(a, port), f.hop_latency_cycles * mesh_.link_hops(a, b), s, m.wavelets);
    }
    while (k < m.to.size() && m.delivery_at[k] == static_cast<int>(i)) {
      m.at_router[k] = s;
      push(m.level, 1, id, static_cast<int>(k));
      ++k;
    }
  }
}

void EventSim::deliver(int id, int k) {
  Message& m = messages_[id];
  const int task = m.to[k];
  Task& t = tasks_[task];
  const Stream s = pass(link_id(t.core, 5), mesh_.fabric().ramp_latency_cycles, m.at_router[k], m.wavelets);  // ramp in
  if (s.head > t.in.head) {
    t.in.head = s.head;
    t.head_from = id;
    t.head_k = k;
  }
  if (s.tail > t.in.tail) {
    t.in.tail = s.tail;
    t.tail_from = id;
    t.tail_k = k;
  }
  t.level = std::max(t.level, m.level + 1);
  if (--t.pending == 0) finish(task);
}

CriticalPath EventSim::critical_path(int task) const {
  std::vector<std::pair<int, int>> chain;  // (message, delivery), last first
  for (int t = task; t >= 0;) {
    const Task& x = tasks_[t];
    const bool whole = x.compute_cycles > 0;
    const int from = whole ? x.tail_from : x.head_from, k = whole ? x.tail_k : x.head_k;
    const bool local_wins = whole ? x.local.tail >= x.in.tail : x.local.head >= x.in.head;
    if (from < 0 || local_wins) break;
    chain.emplace_back(from, k);
    t = messages_[from].from;
  }
  CriticalPath p;
  p.start = chain.empty() ? tasks_[task].core : tasks_[messages_[chain.back().first].from >= 0 ? messages_[chain.back().first].from : task].core;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Message& m = messages_[it->first];
    const int end = m.delivery_at[it->second];
    p.bytes += m.bytes;
    p.messages += 1;
    p.routers.push_back(mesh_.physical(m.path[0]));
    for (int i = 1; i <= end; ++i) {
      const auto leg = mesh_.link_routers(m.path[i - 1], m.path[i]);
      p.hops += static_cast<double>(leg.size()) - 1;
      p.routers.insert(p.routers.end(), leg.begin() + 1, leg.end());
    }
  }
  p.cycles = tasks_[task].out.tail;
  return p;
}

}  // namespace ws::fabric
