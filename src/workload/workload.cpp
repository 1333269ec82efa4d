#include "workload/workload.h"

#include <algorithm>
#include <cmath>

namespace ws {

double LengthDistribution::quantile(double q) const {
  if (quantiles.empty()) return 0;
  if (q <= quantiles.front().first) return quantiles.front().second;
  for (std::size_t i = 1; i < quantiles.size(); ++i) {
    const auto& [q1, t1] = quantiles[i];
    if (q <= q1) {
      const auto& [q0, t0] = quantiles[i - 1];
      return q1 == q0 ? t1 : t0 + (t1 - t0) * (q - q0) / (q1 - q0);
    }
  }
  return quantiles.back().second;
}

double LengthDistribution::mean() const {
  if (quantiles.size() == 1) return quantiles.front().second;
  double total = 0;
  for (std::size_t i = 1; i < quantiles.size(); ++i)
    total += (quantiles[i].first - quantiles[i - 1].first) * (quantiles[i].second + quantiles[i - 1].second) / 2;
  return total;
}

double LengthDistribution::fraction_above(double tokens) const {
  // Inverse of the quantile function: the largest q with quantile(q) <= tokens.
  if (quantiles.empty() || tokens < quantiles.front().second) return 1.0;
  if (tokens >= quantiles.back().second) return 0.0;
  for (std::size_t i = 1; i < quantiles.size(); ++i) {
    const auto& [q0, t0] = quantiles[i - 1];
    const auto& [q1, t1] = quantiles[i];
    if (tokens < t1) return 1.0 - (t1 == t0 ? q1 : q0 + (q1 - q0) * (tokens - t0) / (t1 - t0));
  }
  return 0.0;
}

LengthDistribution LengthDistribution::constant(double tokens) { return LengthDistribution{{{0.0, tokens}, {1.0, tokens}}}; }

LengthDistribution LengthDistribution::from_samples(std::vector<double> samples, int points) {
  LengthDistribution d;
  if (samples.empty()) return d;
  std::sort(samples.begin(), samples.end());
  for (int i = 0; i < points; ++i) {
    const double q = static_cast<double>(i) / (points - 1);
    const double position = q * (samples.size() - 1);
    const auto low = static_cast<std::size_t>(std::floor(position));
    const auto high = std::min(low + 1, samples.size() - 1);
    d.quantiles.emplace_back(q, samples[low] + (samples[high] - samples[low]) * (position - low));
  }
  return d;
}

}  // namespace ws
