#pragma once
#include <cstdint>
#include <queue>
#include <vector>

namespace ws {

// The simulator's one total order of events: by time, then kind (in the order listed), then replica, then
// request id. It does not depend on when an event was pushed, so an arrival pulled from a trace only when
// the clock reaches it, or a decode step applied inside a skipped stretch rather than popped (simulator.cpp),
// lands where step-by-step simulation puts it. Events equal in all four are interchangeable; the push
// sequence settles them.
enum class EventKind { step_done, ready, handover_done, arrival };

struct Event {
  double time_s = 0;
  EventKind kind = EventKind::arrival;
  int replica = -1;        // step_done, ready, handover_done
  long long request = -1;  // arrival, ready, handover_done: the request's id
  long long slot = -1;     // where the simulator keeps that request
  std::uint64_t serial = 0;  // step_done: the replica's step serial (a stretch cut short leaves a stale one)
  std::uint64_t sequence = 0;
};

// True when an event of `kind` on `replica` at `time_s` comes before `e`.
inline bool precedes(double time_s, EventKind kind, int replica, long long request, const Event& e) {
  if (time_s != e.time_s) return time_s < e.time_s;
  if (kind != e.kind) return kind < e.kind;
  if (replica != e.replica) return replica < e.replica;
  return request < e.request;
}

class EventQueue {
 public:
  void push(double time_s, EventKind kind, int replica, long long request, long long slot = -1,
            std::uint64_t serial = 0) {
    heap_.push(Event{time_s, kind, replica, request, slot, serial, next_++});
  }
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.top(); }
  Event pop() {
    Event e = heap_.top();
    heap_.pop();
    return e;
  }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      if (precedes(a.time_s, a.kind, a.replica, a.request, b)) return false;
      if (precedes(b.time_s, b.kind, b.replica, b.request, a)) return true;
      return a.sequence > b.sequence;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_ = 0;
};

}  // namespace ws
