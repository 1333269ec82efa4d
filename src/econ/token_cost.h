#pragma once
#include <string>

#include "catalog/catalog.h"
#include "perf/engine.h"
#include "workload/workload.h"

namespace ws {

// How the cost of a token is found.
//  physical:   the perf engine's speeds at the operating point. Per request, the deployment spends
//              osl x (decode step / C) on output tokens (the step is shared by C sequences), the whole
//              deployment's prefill time on the new input tokens (cache writes and fresh input, attending to
//              the cached prefix), and the time to bring the cached prefix's KV from its tier (device: none;
//              host: KV bytes over the system's host link) on cache reads. Cost = seconds x USD/s of the
//              deployment.
//  calculator: the public calculator's rule: each of C concurrent requests spends its wall time on output at
//              the power-law interactivity and on non-output tokens at `cache_read_speedup` x that rate;
//              cost = systems x USD/h / cluster throughput.
enum class CostRule { physical, calculator };
CostRule parse_cost_rule(const std::string& text);

// The public calculator's constants (CalculatorConstants, catalog/catalog.h), as the catalog loaded them from
// peers.toml; throws InputError when the catalog folder has no peers.toml.
const CalculatorConstants& load_calculator_constants(const Catalog& catalog);
double calculator_interactivity(const CalculatorConstants& c, double active_params);

// USD per hour of one system: "tco" (the owner's TCO), "rental" (the catalog's rental rate), or a number.
struct SystemPrice {
  std::string label;
  double usd_per_hour = 0;
};
SystemPrice system_price(const Catalog& catalog, const Hardware& hardware, const std::string& option);

struct CostRequest {
  Workload workload;
  PriceList price_list;
  SystemPrice price;
  PerfRequest perf;            // concurrency, parallelism, precisions; isl/osl/cached come from the workload
  CostRule rule = CostRule::physical;
  std::string cache_tier;      // "device" or "host"; empty = host when the system has a host tier
  double isl_override = 0;     // > 0: use this average input length instead of the workload's mean
};

struct TokenTypeCost {
  double tokens_per_request = 0;
  double seconds_per_request = 0;  // deployment-seconds
  double usd_per_mtok = 0;
};

struct CostResult {
  std::string model, hardware, workload, price_label, rule, cache_tier;
  double devices = 0, systems = 0, usd_per_hour = 0, concurrency = 0;
  double isl = 0, osl = 0;
  TokenTypeCost cache_read, cache_write, fresh_input, output;
  double usd_per_mtok_input = 0;  // all input types together
  double usd_per_mtok = 0;        // blended over the workload's mix
  double revenue_usd_per_mtok = 0;
  double gross_margin = 0;
  double tokens_per_s_per_user = 0;
  double tokens_per_s = 0;  // all token types through the deployment
  std::string bound;
};

CostResult token_cost(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware, const CostRequest& request);

}  // namespace ws
