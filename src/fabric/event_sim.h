#pragma once
// A small event engine for message schedules on the mesh. Time is in cycles. Each message is two kinds of event,
// its send (claiming its ramp out and the links of its route) and one delivery per destination (claiming that
// core's ramp in); a task runs once its last input is delivered. The one total order of events (here and nowhere
// else in src/fabric/) is (dependence level, message number, kind, destination): a message whose source depends on
// k earlier messages is level k, and a stream of a lower level, then of an earlier message, claims a shared ramp or
// link first. Arbitration is thus fixed by the schedule's structure, as the wafer's compile-time routes fix it,
// rather than by races in time; that makes every time a max-plus expression of the latencies, so a longer route (a
// defect) delays what depends on it and never lets another stream overtake: defects never make a kernel faster.
//
// A message is a stream of W = ceil(bytes / link_bytes_per_cycle) wavelets, summarised by when its first (head)
// and last (tail) wavelet pass a point. It leaves its core through the ramp (ramp_latency_cycles), crosses the
// logical links of its X-then-Y route (hop_latency_cycles per physical hop each is wired over: 1 on a clean
// stretch, more around dead tiles), and enters each destination core through that core's ramp. Every ramp and
// directed link is a resource that passes one wavelet per cycle: a stream reaching a busy one waits until the
// previous stream's tail has gone (contention), and never leaves it faster than W cycles from head to tail. So an
// uncontended message of W wavelets over h hops takes ramp + h x hop + ramp + W cycles.
//
// A task is one core's work on its inputs: elementwise (add, max: a pipelined stream op of core_op_latency_cycles,
// its head leaves once every input's head is in), or whole-vector (a GEMV tile: starts when every input's tail is
// in, takes compute cycles). A task's own data is an input ready over [local.head, local.tail].
#include <cstdint>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "fabric/mesh.h"

namespace ws::fabric {

struct Stream {
  double head = 0;  // cycle the first wavelet passes
  double tail = 0;  // cycle the last wavelet passes
};
inline Stream shifted(Stream s, double by) { return {s.head + by, s.tail + by}; }

// The chain of messages and work that set a result's time, for reports and plots.
struct CriticalPath {
  double hops = 0;
  double cycles = 0;    // the result's time (set by the kernel that asks)
  double bytes = 0;     // bytes of the messages on the chain, summed
  int messages = 0;
  Coord start;                 // logical core where the chain starts (its data was ready there)
  std::vector<Coord> routers;  // physical routers along the chain, in order
  void append(const CriticalPath& later);
  CriticalPath translated(int rows, int cols) const;  // every router moved by (rows, cols)
};

class EventSim {
 public:
  explicit EventSim(const Mesh& mesh) : mesh_(mesh) {}

  // A task on logical core `core`; `inputs` messages must arrive before it runs.
  int add_task(Coord core, Stream local, int inputs, double op_cycles, double compute_cycles = 0);
  // A message of `bytes` from task `from`'s core, delivered to each of `to` in order (a multicast along a chain of
  // cores when there are several). Sent when `from` finishes.
  int add_message(int from, std::vector<int> to, double bytes);
  // A message that enters at the router of logical core `at` with the stream `at_router` (a multicast forwarded by
  // that router without its core: the column branch of a 2D broadcast).
  int add_router_message(Coord at, Stream at_router, std::vector<int> to, double bytes);

  void run();

  Stream result(int task) const { return tasks_[task].out; }
  // The stream at the router of the k-th destination of `message`, before it enters that core's ramp.
  Stream at_router(int message, int k) const { return messages_[message].at_router[k]; }
  CriticalPath critical_path(int task) const;
  // The logical routers `message` passed, and the index among them of each destination's router (after run()).
  const std::vector<Coord>& path(int message) const { return messages_[message].path; }
  const std::vector<int>& delivery_at(int message) const { return messages_[message].delivery_at; }
  std::uint64_t events() const { return events_; }

 private:
  struct Task {
    Coord core;
    Stream local;
    int pending = 0;
    double op_cycles = 0, compute_cycles = 0;
    Stream in{-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    int head_from = -1, head_k = -1, tail_from = -1, tail_k = -1;  // the inputs that set head and tail
    int level = 0;  // 1 + the deepest input's level
    Stream out;
    std::vector<int> sends;
  };
  struct Message {
    int from = -1;  // task, or -1 for a router message
    Coord source;   // logical core
    Stream injected;
    std::vector<int> to;
    double bytes = 0, wavelets = 0;
    std::vector<Coord> path;
    std::vector<int> delivery_at;  // index into path of each destination's router
    std::vector<Stream> at_router;
    int level = 0;
  };
  struct Event {
    int level;  // dependence depth of the message
    int id;     // message
    int kind;   // 0 send, 1 deliver
    int k;      // destination
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return std::tie(a.level, a.id, a.kind, a.k) > std::tie(b.level, b.id, b.kind, b.k);
    }
  };

  void push(int level, int kind, int id, int k);
  void finish(int task);
  void send(int message);
  void deliver(int message, int k);
  Stream pass(std::uint64_t link, double latency, Stream s, double wavelets);
  std::uint64_t link_id(Coord core, int port) const;

  const Mesh& mesh_;
  std::vector<Task> tasks_;
  std::vector<Message> messages_;
  std::vector<Event> heap_;
  std::uint64_t events_ = 0;
  std::unordered_map<std::uint64_t, double> link_free_;
};

}  // namespace ws::fabric
