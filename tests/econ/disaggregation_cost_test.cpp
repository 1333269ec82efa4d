// What disaggregated and co-located rows cost (econ/disaggregation_cost.h).
#include <gtest/gtest.h>

#include <cmath>

#include "econ/disaggregation_cost.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(DisaggregationCost, EachRowPaysForTheSystemsItKeepsBusy) {
  const auto& c = test::catalog();
  static const PerfEngine engine(c);
  const ModelSpec m = c.model("gpt-oss-120b");
  const Hardware prefill = c.hardware("dgx-b300"), decode = c.hardware("cs-3");
  DisaggRequest d;
  d.workload = c.workload("8k-1k");
  d.prefill.weights = d.decode.weights = checkpoint_weight_format(m, c.precisions);
  d.prefill.kv = d.decode.kv = c.precisions.get("bf16", "test");
  d.decode.concurrency = 64;
  const SystemPrice prefill_price = system_price(c, prefill, "tco"), decode_price = system_price(c, decode, "tco");
  const auto speeds = compare_disaggregation(engine, m, prefill, decode, d);
  const auto rows = price_disaggregation(speeds, prefill_price, decode_price);
  ASSERT_EQ(rows.size(), 3u);
  const DisaggResult& x = rows[0].speeds;
  EXPECT_DOUBLE_EQ(rows[0].cost.usd_per_hour, x.decode_hardware_systems * decode_price.usd_per_hour +
                                                  x.prefill_hardware_systems * prefill_price.usd_per_hour);
  EXPECT_DOUBLE_EQ(rows[1].cost.usd_per_hour, rows[1].speeds.prefill_hardware_systems * prefill_price.usd_per_hour);
  EXPECT_DOUBLE_EQ(rows[2].cost.usd_per_hour, rows[2].speeds.decode_hardware_systems * decode_price.usd_per_hour);
  for (const auto& [s, cost] : rows) {
    EXPECT_GT(cost.usd_per_mtok, 0) << s.label;
    EXPECT_DOUBLE_EQ(cost.usd_per_mtok, cost.usd_per_hour / 3600.0 / (s.requests_per_s * (s.isl + s.osl)) * 1e6);
  }
}

TEST(DisaggregationCost, ARowThatDoesNotFitHasNoPrice) {
  DisaggResult r;
  r.fits = false;
  const DisaggCost cost = disaggregation_cost(r, SystemPrice{"a", 10}, SystemPrice{"b", 20});
  EXPECT_EQ(cost.usd_per_hour, 0);
  EXPECT_TRUE(std::isnan(cost.usd_per_mtok));
}

}  // namespace
}  // namespace ws
