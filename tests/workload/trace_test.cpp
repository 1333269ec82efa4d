// Trace readers: arrivals relative to the first record, every field checked, caps on length and span.
#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"
#include "workload/trace.h"

namespace ws {
namespace {

std::vector<TraceRequest> mooncake(const std::string& text) {
  std::istringstream stream(text);
  return read_mooncake_trace(stream, "t.jsonl");
}
std::vector<TraceRequest> azure(const std::string& text) {
  std::istringstream stream(text);
  return read_azure_trace(stream, "t.csv");
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A JSONL trace with epoch-millisecond timestamps used to start its time series at t = 0 (1.7e9 s of samples).
TEST(MooncakeTrace, EpochMillisecondTimestampsStartAtZero) {
  const auto r = mooncake(R"({"timestamp": 1732838400000, "input_length": 10, "output_length": 2}
{"timestamp": 1732838400500, "input_length": 20, "output_length": 3, "hash_ids": [1, 2]}
)");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].arrival_s, 0.0);
  EXPECT_DOUBLE_EQ(r[1].arrival_s, 0.5);
  EXPECT_EQ(r[1].block_hashes, (std::vector<long long>{1, 2}));
}

TEST(AzureTrace, ArrivalsRelativeToTheFirstRow) {
  const auto r = azure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,100,5\n2023-11-16 18:17:05.0,7,1\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].arrival_s, 0.0);
  EXPECT_DOUBLE_EQ(r[1].arrival_s, 1.5);
}

struct BadTrace {
  std::string name, text, expected;
};
class BadMooncake : public ::testing::TestWithParam<BadTrace> {};
TEST_P(BadMooncake, IsRejectedNamingLineAndField) {
  EXPECT_NE(error_of([&] { mooncake(GetParam().text); }).find(GetParam().expected), std::string::npos)
      << error_of([&] { mooncake(GetParam().text); });
}
INSTANTIATE_TEST_SUITE_P(
    Rejects, BadMooncake,
    ::testing::Values(
        BadTrace{"fractional", R"({"timestamp": 0, "input_length": 0.4, "output_length": 2})", "t.jsonl:1"},
        BadTrace{"huge_tokens", R"({"timestamp": 0, "input_length": 1e12, "output_length": 2})", "input_length"},
        BadTrace{"negative", R"({"timestamp": 0, "input_length": 5, "output_length": -1})", "output_length"},
        BadTrace{"backwards", "{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 1}\n"
                              "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 1}", "t.jsonl:2: timestamp goes backwards"},
        BadTrace{"span", "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n"
                         "{\"timestamp\": 1e15, \"input_length\": 1, \"output_length\": 1}", "at most 366 days"},
        BadTrace{"not_object", "[1, 2, 3]", "one JSON object per line"},
        BadTrace{"hash_strings", R"({"timestamp": 0, "input_length": 1, "output_length": 1, "hash_ids": ["a"]})", "hash_ids"},
        BadTrace{"string_time", R"({"timestamp": "now", "input_length": 1, "output_length": 1})", "timestamp: expected a number"}),
    [](const auto& info) { return info.param.name; });

class BadAzure : public ::testing::TestWithParam<BadTrace> {};
TEST_P(BadAzure, IsRejectedNamingLineAndField) {
  EXPECT_NE(error_of([&] { azure(GetParam().text); }).find(GetParam().expected), std::string::npos)
      << error_of([&] { azure(GetParam().text); });
}
INSTANTIATE_TEST_SUITE_P(
    Rejects, BadAzure,
    ::testing::Values(
        BadTrace{"month_13", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-16 18:17:03.5,100,5\n", "t.csv:2: TIMESTAMP"},
        BadTrace{"nan_second", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:nan,100,5\n", "out of range"},
        BadTrace{"fraction", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,100.5,5\n", "ContextTokens"},
        BadTrace{"missing", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,,5\n", "ContextTokens"},
        BadTrace{"ragged", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,1\n", "expected 3 fields"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ws
