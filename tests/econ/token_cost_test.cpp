#include "econ/token_cost.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "test_support.h"

namespace ws {
namespace {

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

CostRequest agentic(CostRule rule) {
  const auto& c = test::catalog();
  const ModelSpec m = c.model("gpt-oss-120b");
  CostRequest r;
  r.workload = c.workload("agentic-coding");
  r.price_list = c.price_list("openai-gpt-5.2");
  r.price = system_price(c, c.hardware("cs-3"), "rental");
  r.perf.concurrency = 250;
  r.perf.weights = checkpoint_weight_format(m, c.precisions);
  r.perf.kv = c.precisions.get("bf16", "test");
  r.isl_override = 96300;
  r.rule = rule;
  return r;
}

// The source's worked example under the public calculator's own rule: 42 CS-3 for 250 concurrent requests at
// 96.3k tokens, 0.19 USD/Mtok to serve at 41.96 USD/h, 0.30 revenue, 35% gross margin.
TEST(TokenCost, CalculatorRuleReproducesTheSource) {
  const CostResult r = token_cost(engine(), test::catalog().model("gpt-oss-120b"), test::catalog().hardware("cs-3"),
                                  agentic(CostRule::calculator));
  EXPECT_EQ(r.systems, 42);
  EXPECT_NEAR(r.tokens_per_s_per_user, 2059, 10);
  EXPECT_NEAR(r.usd_per_mtok, 0.19, 0.19 * 0.05);
  EXPECT_NEAR(r.revenue_usd_per_mtok, 0.30, 0.005);
  EXPECT_NEAR(r.gross_margin, 0.35, 0.02);
}

TEST(TokenCost, PhysicalRuleAddsUpByTokenType) {
  const CostResult r = token_cost(engine(), test::catalog().model("gpt-oss-120b"), test::catalog().hardware("cs-3"),
                                  agentic(CostRule::physical));
  const TokenMix& m = test::catalog().workload("agentic-coding").mix;
  EXPECT_NEAR(r.usd_per_mtok, m.cache_read * r.cache_read.usd_per_mtok + m.cache_write * r.cache_write.usd_per_mtok +
                                  m.fresh_input * r.fresh_input.usd_per_mtok + m.output * r.output.usd_per_mtok, 1e-12);
  EXPECT_EQ(r.cache_tier, "host");  // the CS-3 keeps prefixes in its KVSS node
  // A cached token costs its KV over 150 GB/s: far less than computing it.
  EXPECT_LT(r.cache_read.usd_per_mtok, 0.1 * r.cache_write.usd_per_mtok);
  EXPECT_GT(r.usd_per_mtok, 0);
  // Halving the price halves every cost.
  CostRequest half = agentic(CostRule::physical);
  half.price.usd_per_hour /= 2;
  const CostResult h = token_cost(engine(), test::catalog().model("gpt-oss-120b"), test::catalog().hardware("cs-3"), half);
  EXPECT_NEAR(h.usd_per_mtok, r.usd_per_mtok / 2, 1e-12);
}

TEST(TokenCost, PriceOptions) {
  const auto& c = test::catalog();
  EXPECT_NEAR(system_price(c, c.hardware("cs-3"), "tco").usd_per_hour, 23.35, 0.01);
  EXPECT_DOUBLE_EQ(system_price(c, c.hardware("cs-3"), "rental").usd_per_hour, 41.96);
  EXPECT_DOUBLE_EQ(system_price(c, c.hardware("h100"), "2.5").usd_per_hour, 2.5);
  EXPECT_THROW(system_price(c, c.hardware("gb300-nvl72"), "rental"), InputError);  // no rental rate in the catalog
  EXPECT_THROW(system_price(c, c.hardware("cs-3"), "-3"), InputError);
  EXPECT_THROW(system_price(c, c.hardware("cs-3"), "cheap"), InputError);
}

}  // namespace
}  // namespace ws
