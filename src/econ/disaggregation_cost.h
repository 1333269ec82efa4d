#pragma once
#include <vector>

#include "econ/token_cost.h"
#include "perf/disaggregation.h"

namespace ws {

// What the rows of compare_disaggregation cost: each row's systems of the prefill and of the decode hardware at
// the given USD per system-hour, and that per million tokens (input + output) of the workload's average request.
struct DisaggCost {
  double usd_per_hour = 0;
  double usd_per_mtok = 0;  // NaN for a row that does not fit
};

struct PricedDisaggRow {
  DisaggResult speeds;
  DisaggCost cost;
};

DisaggCost disaggregation_cost(const DisaggResult& row, const SystemPrice& prefill_price, const SystemPrice& decode_price);
std::vector<PricedDisaggRow> price_disaggregation(const std::vector<DisaggResult>& rows, const SystemPrice& prefill_price,
                                                  const SystemPrice& decode_price);

}  // namespace ws
