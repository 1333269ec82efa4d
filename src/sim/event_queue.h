#pragma once
#include <cstdint>
#include <queue>
#include <vector>

namespace ws {

// The simulator's one total order of events: by time, then by the order they were scheduled.
enum class EventKind { arrival, step_done, ready, handover_done };

struct Event {
  double time_s = 0;
  std::uint64_t sequence = 0;
  EventKind kind = EventKind::arrival;
  int replica = -1;      // step_done
  long long request = -1;  // arrival, ready, handover_done
};

class EventQueue {
 public:
  void push(double time_s, EventKind kind, int replica, long long request) {
    heap_.push(Event{time_s, next_++, kind, replica, request});
  }
  bool empty() const { return heap_.empty(); }
  Event pop() {
    Event e = heap_.top();
    heap_.pop();
    return e;
  }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_s != b.time_s ? a.time_s > b.time_s : a.sequence > b.sequence;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_ = 0;
};

}  // namespace ws
