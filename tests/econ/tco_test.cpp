#include "econ/tco.h"

#include <gtest/gtest.h>

#include <map>

#include "core/csv.h"
#include "core/error.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(Tco, AnnuityFormula) {
  EXPECT_NEAR(monthly_annuity(1200, 0.0, 1), 100, 1e-9);
  // 478,178 over 60 months at 9.375%/12: P r / (1 - (1 + r)^-60) = 10,013.44 (source: 10,013).
  EXPECT_NEAR(monthly_annuity(478178, 0.09375, 5), 10013.44, 0.01);
}

// Golden: the source's CS-3 TCO outputs (catalog/published/economics_cs3.csv).
TEST(Tco, ReproducesTheSourceCs3Model) {
  const auto& c = test::catalog();
  const Tco t = compute_tco(c.economics_for("cs-3"), c.hardware("cs-3"));
  const std::string file = test::catalog_path("published/economics_cs3.csv");
  std::map<std::string, double> published;
  for (const auto& row : read_csv(file).rows) published[row.at("key", file)] = csv_number(row, "value", file);
  EXPECT_NEAR(t.capex_usd, published.at("out_total_upfront_capex"), 0.5);
  EXPECT_NEAR(t.wacc, published.at("out_wacc"), 0.0005);
  EXPECT_NEAR(t.capital_cost_per_month_usd, published.at("out_capital_cost_per_month"), 1.0);
  EXPECT_NEAR(t.capital_cost_per_hour_usd, published.at("out_capital_cost_per_hour"), 0.005);
  EXPECT_NEAR(t.operating_cost_per_hour_usd, published.at("out_operating_cost_per_hour"), 0.005);
  EXPECT_NEAR(t.tco_per_hour_usd, published.at("out_tco_per_hour"), 0.005);
  EXPECT_NEAR(t.tco_per_pflop_hour_internal_usd, published.at("out_tco_per_pflop_hour_internal"), 0.005);
  EXPECT_NEAR(*t.tco_per_pflop_hour_external_usd, published.at("out_tco_per_pflop_hour_external"), 0.005);
  EXPECT_NEAR(t.upfront_per_pflop_internal_usd, published.at("out_upfront_per_pflop_internal"), 0.5);
  EXPECT_NEAR(*t.upfront_per_pflop_external_usd, published.at("out_upfront_per_pflop_external"), 0.5);
  EXPECT_NEAR(t.operating_cost_per_month_usd, published.at("out_operating_cost_per_month"), 0.5);
}

TEST(Tco, ScalesWithPowerAndPrice) {
  const auto& c = test::catalog();
  SystemEconomics e = c.economics_for("cs-3");
  const Tco base = compute_tco(e, c.hardware("cs-3"));
  e.all_in_power_w *= 2;
  const Tco hot = compute_tco(e, c.hardware("cs-3"));
  EXPECT_NEAR(hot.operating_cost_per_hour_usd - base.operating_cost_per_hour_usd, 7008.0 / 730, 0.01);
  EXPECT_DOUBLE_EQ(hot.capital_cost_per_hour_usd, base.capital_cost_per_hour_usd);
}

TEST(Tco, GpuSystemsHaveInputsButNoRental) {
  const auto& c = test::catalog();
  const Tco t = compute_tco(c.economics_for("gb300-nvl72"), c.hardware("gb300-nvl72"));
  EXPECT_GT(t.tco_per_hour_usd, 23.35);
  EXPECT_FALSE(t.rental_per_hour_usd.has_value());
  EXPECT_THROW(c.economics_for("h100"), InputError);
}

}  // namespace
}  // namespace ws
