#include "perf/device_class.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace ws {

const std::vector<std::string>& all_bounds() {
  static const std::vector<std::string> names = {bound::compute, bound::memory_bandwidth, bound::fabric_latency,
                                                 bound::interconnect, bound::off_chip_io, bound::overhead,
                                                 bound::capacity};
  return names;
}

std::size_t bound_index(const std::string& bound_name) {
  // Device classes pass the bound:: constants themselves: found by address, no string compared (a sweep adds
  // hundreds of millions of terms).
  static const std::array<const std::string*, 7> constants = {&bound::compute, &bound::memory_bandwidth,
                                                              &bound::fabric_latency, &bound::interconnect,
                                                              &bound::off_chip_io, &bound::overhead, &bound::capacity};
  for (std::size_t i = 0; i < constants.size(); ++i)
    if (constants[i] == &bound_name) return i;
  const auto& names = all_bounds();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (&names[i] == &bound_name || names[i] == bound_name) return i;
  throw std::invalid_argument("unknown bound '" + bound_name + "'");
}

void StepTime::append(const StepTime& other, const std::string& prefix) {
  if (record_terms)
    for (const auto& t : other.terms) terms.push_back(Term{prefix + t.name, t.bound, t.seconds});
  for (std::size_t i = 0; i < totals.size(); ++i) totals[i] += other.totals[i];
  seconds += other.seconds;
}

std::map<std::string, double> StepTime::seconds_by_bound() const {
  std::map<std::string, double> result;
  for (std::size_t i = 0; i < totals.size(); ++i)
    if (totals[i] > 0) result[all_bounds()[i]] = totals[i];
  return result;
}

std::string StepTime::bound() const {
  const auto it = std::max_element(totals.begin(), totals.end());
  return all_bounds()[it - totals.begin()];
}

StepTime StepTime::minus(const StepTime& earlier) const {
  StepTime d;
  d.record_terms = false;
  d.seconds = seconds - earlier.seconds;
  for (std::size_t i = 0; i < totals.size(); ++i) d.totals[i] = totals[i] - earlier.totals[i];
  return d;
}

}  // namespace ws
