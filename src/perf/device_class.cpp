#include "perf/device_class.h"

#include <stdexcept>

namespace ws {

void StepTime::add(std::string name, std::string bound_name, double s) {
  seconds += s;
  terms.push_back(Term{std::move(name), std::move(bound_name), s});
}

void StepTime::append(const StepTime& other, const std::string& prefix) {
  for (const auto& t : other.terms) terms.push_back(Term{prefix + t.name, t.bound, t.seconds});
  seconds += other.seconds;
}

std::map<std::string, double> StepTime::seconds_by_bound() const {
  std::map<std::string, double> totals;
  for (const auto& t : terms) totals[t.bound] += t.seconds;
  return totals;
}

std::string StepTime::bound() const {
  std::string best;
  double most = -1;
  for (const auto& [name, s] : seconds_by_bound())
    if (s > most) { most = s; best = name; }
  return best;
}

}  // namespace ws
