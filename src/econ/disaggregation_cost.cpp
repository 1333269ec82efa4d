#include "econ/disaggregation_cost.h"

#include <limits>

namespace ws {

DisaggCost disaggregation_cost(const DisaggResult& row, const SystemPrice& prefill_price, const SystemPrice& decode_price) {
  DisaggCost c;
  if (!row.fits) {
    c.usd_per_mtok = std::numeric_limits<double>::quiet_NaN();
    return c;
  }
  // Only the terms a row uses: a co-located row holds systems of one hardware only.
  if (row.decode_hardware_systems > 0) c.usd_per_hour += row.decode_hardware_systems * decode_price.usd_per_hour;
  if (row.prefill_hardware_systems > 0) c.usd_per_hour += row.prefill_hardware_systems * prefill_price.usd_per_hour;
  c.usd_per_mtok = c.usd_per_hour / 3600.0 / (row.requests_per_s * (row.isl + row.osl)) * 1e6;
  return c;
}

std::vector<PricedDisaggRow> price_disaggregation(const std::vector<DisaggResult>& rows, const SystemPrice& prefill_price,
                                                  const SystemPrice& decode_price) {
  std::vector<PricedDisaggRow> priced;
  priced.reserve(rows.size());
  for (const auto& row : rows) priced.push_back({row, disaggregation_cost(row, prefill_price, decode_price)});
  return priced;
}

}  // namespace ws
