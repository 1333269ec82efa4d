#include "workload/workload.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "workload/trace.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(LengthDistribution, QuantilesMeanAndTail) {
  const LengthDistribution d{{{0.0, 0}, {0.5, 100}, {1.0, 300}}};
  EXPECT_DOUBLE_EQ(d.median(), 100);
  EXPECT_DOUBLE_EQ(d.quantile(0.75), 200);
  EXPECT_DOUBLE_EQ(d.mean(), 0.5 * 50 + 0.5 * 200);
  EXPECT_DOUBLE_EQ(d.fraction_above(200), 0.25);
  EXPECT_DOUBLE_EQ(LengthDistribution::constant(1024).mean(), 1024);
}

// The source: agentic coding has a median input of 96.3k and almost half of its requests above 128k.
TEST(Workloads, AgenticCodingMatchesThePublishedShape) {
  const Workload w = test::catalog().workload("agentic-coding");
  EXPECT_DOUBLE_EQ(w.input_tokens.median(), 96300);
  EXPECT_NEAR(w.input_tokens.fraction_above(128000), 0.45, 1e-9);
  EXPECT_DOUBLE_EQ(w.output_tokens.median(), 213);
}

// Golden: the source's spend mix (cache read 0.166, write 0.082, fresh 0.007, output 0.042 of 0.297 USD per
// blended Mtok) comes back from the catalog's volume mix at the catalog's list prices.
TEST(Workloads, AgenticSpendMixReproducesTheSource) {
  const Workload w = test::catalog().workload("agentic-coding");
  const PriceList& p = test::catalog().price_list("openai-gpt-5.2");
  const TokenMix& m = w.mix;
  const double total = p.blended_usd_per_mtok(m);
  EXPECT_NEAR(total, 0.297, 0.003);
  EXPECT_NEAR(m.cache_read * p.cache_read_usd_per_mtok / total, 0.558, 0.005);
  EXPECT_NEAR(m.cache_write * p.cache_write_usd_per_mtok / total, 0.277, 0.005);
  EXPECT_NEAR(m.fresh_input * p.fresh_input_usd_per_mtok / total, 0.024, 0.002);
  EXPECT_NEAR(m.output * p.output_usd_per_mtok / total, 0.141, 0.003);
}

TEST(Workloads, BenchmarkScenariosHaveNoCache) {
  const Workload w = test::catalog().workload("8k-1k");
  EXPECT_DOUBLE_EQ(w.mix.cache_read, 0);
  EXPECT_NEAR(w.mix.fresh_input, 8192.0 / 9216, 1e-12);
}

// Trace statistics against the shared/traces README's published means (Azure code 2,048 / 28).
TEST(Traces, AzureCodeLengths) {
  const auto requests = read_trace(test::catalog_path("traces/AzureLLMInferenceTrace_code.csv"));
  ASSERT_EQ(requests.size(), 8819u);
  double input = 0, output = 0;
  for (const auto& r : requests) { input += r.input_tokens; output += r.output_tokens; }
  EXPECT_NEAR(input / requests.size(), 2048, 2048 * 0.01);
  EXPECT_NEAR(output / requests.size(), 28, 1);
  EXPECT_GT(requests.back().arrival_s, 3000);  // one hour
}

TEST(Traces, MooncakePrefixBlocksGiveCacheReads) {
  const auto stats = trace_stats(read_trace(test::catalog_path("traces/mooncake_conversation_trace.jsonl")));
  EXPECT_EQ(stats.requests, 12031u);
  EXPECT_GT(stats.mix.cache_read, 0.2);
  EXPECT_NEAR(stats.mix.cache_read + stats.mix.cache_write + stats.mix.fresh_input + stats.mix.output, 1.0, 1e-9);
}

TEST(Traces, HandMadeBlocks) {
  std::vector<TraceRequest> requests(2);
  requests[0] = TraceRequest{0, 1024, 10, {1, 2}};
  requests[1] = TraceRequest{1, 1500, 10, {1, 2, 3}};  // two cached blocks, a new one of 476 tokens
  const auto stats = trace_stats(requests);
  const double total = 1024 + 1500 + 20;
  EXPECT_NEAR(stats.mix.cache_read, 1024 / total, 1e-12);
  EXPECT_NEAR(stats.mix.cache_write, (1024 + 476) / total, 1e-12);
}

struct BadWorkload {
  std::string file, expected;
};
void PrintTo(const BadWorkload& b, std::ostream* os) { *os << b.file; }
class BadWorkloads : public ::testing::TestWithParam<BadWorkload> {};

TEST_P(BadWorkloads, AreRejectedNamingFileAndField) {
  const std::string path = test::data_path("bad_workloads/" + GetParam().file);
  try {
    test::catalog().workload(path);
    FAIL();
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(GetParam().file), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Rejects, BadWorkloads,
                         ::testing::Values(BadWorkload{"negative_length.toml", "input_tokens: expected a positive number"},
                                           BadWorkload{"mix_not_one.toml", "mix shares sum to 0.9000"},
                                           BadWorkload{"unknown_key.toml", "output_tokenz: unknown key"},
                                           BadWorkload{"decreasing_quantiles.toml", "must not decrease"}),
                         [](const auto& info) { return info.param.file.substr(0, info.param.file.find('.')); });

TEST(Prices, UnknownPriceListNamesTheClosest) {
  try {
    test::catalog().price_list("openai-gpt-5");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("openai-gpt-5.2"), std::string::npos);
  }
}

}  // namespace
}  // namespace ws
