#pragma once
#include <string>
#include <utility>
#include <vector>

namespace ws {

// A length distribution given by its quantile function: (quantile, tokens) points, linear in between.
struct LengthDistribution {
  std::vector<std::pair<double, double>> quantiles;  // sorted by quantile, first at 0 and last at 1
  double quantile(double q) const;
  double mean() const;  // integral of the quantile function
  double median() const { return quantile(0.5); }
  double fraction_above(double tokens) const;  // P(length > tokens)
  static LengthDistribution constant(double tokens);
  static LengthDistribution from_samples(std::vector<double> samples, int points = 21);
};

// What share of all tokens (by count) are of each type.
struct TokenMix {
  double cache_read = 0;   // input tokens served from a prefix cache
  double cache_write = 0;  // input tokens computed and stored in the cache
  double fresh_input = 0;  // input tokens computed and not cached
  double output = 0;
  double input() const { return cache_read + cache_write + fresh_input; }
};

struct Workload {
  std::string name;
  std::string display_name;
  std::string source;
  LengthDistribution input_tokens;
  LengthDistribution output_tokens;
  TokenMix mix;
  std::string mix_source;
  // Per request, from the distributions and the mix: the cached share of its input, etc.
  double mean_input_tokens() const { return input_tokens.mean(); }
  double mean_output_tokens() const { return output_tokens.mean(); }
  double cached_fraction_of_input() const { return mix.input() > 0 ? mix.cache_read / mix.input() : 0; }
};

// A list price per million tokens of each type (catalog/prices.toml).
struct PriceList {
  std::string name;
  std::string source;
  double cache_read_usd_per_mtok = 0;
  double cache_write_usd_per_mtok = 0;
  double fresh_input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  double blended_usd_per_mtok(const TokenMix& mix) const {
    return mix.cache_read * cache_read_usd_per_mtok + mix.cache_write * cache_write_usd_per_mtok +
           mix.fresh_input * fresh_input_usd_per_mtok + mix.output * output_usd_per_mtok;
  }
};

}  // namespace ws
