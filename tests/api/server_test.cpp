#include "api/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <thread>

#include "test_support.h"

namespace ws {
namespace {

using nlohmann::json;

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

ApiResponse post(const std::string& path, const std::string& body) { return handle_api(test::catalog(), engine(), "POST", path, body); }
ApiResponse get(const std::string& path) { return handle_api(test::catalog(), engine(), "GET", path, ""); }

TEST(Api, EveryEndpointAnswers) {
  for (const char* path : {"/api/health", "/api/chips", "/api/systems", "/api/models", "/api/workloads", "/api/precisions"})
    EXPECT_EQ(get(path).status, 200) << path;
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"/api/footprint", R"({"model": "llama-3.1-8b"})"},
      {"/api/deploy", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "context": 96300, "concurrency": 250, "kv_window": "ignore"})"},
      {"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": 8, "explain": true})"},
      {"/api/frontier", R"({"model": "gpt-oss-120b", "hardware": ["cs-3", "dgx-b300"], "normalize": "usd_hour"})"},
      {"/api/cost", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "isl": 96300})"},
      {"/api/feasibility", R"({"hardware": "cs-3", "points": 11})"},
      {"/api/disagg", R"({"model": "gpt-oss-120b", "prefill": "dgx-b300", "decode": "cs-3", "workload": "8k-1k"})"},
      {"/api/simulate", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "workload": "azure-conv", "rate": 2, "duration": 20})"}};
  for (const auto& [path, body] : calls) {
    const ApiResponse r = post(path, body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_NO_THROW(static_cast<void>(json::parse(r.body))) << path;
  }
}

// Same field names and values as the CLI's JSON: the API serves the same tables.
TEST(Api, WorkedExampleAndCliFieldNames) {
  const json deploy = json::parse(post("/api/deploy", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "context": 96300, "concurrency": 250, "kv_window": "ignore"})").body);
  EXPECT_EQ(deploy[0]["systems_for_concurrency"], 42);
  EXPECT_NEAR(deploy[0]["layers_per_device_at_concurrency"].get<double>(), 0.86, 0.005);
  const json cost = json::parse(post("/api/cost", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "isl": 96300})").body);
  EXPECT_NEAR(cost[1]["usd_per_mtok"].get<double>(), 0.19, 0.01);
  const json perf = json::parse(post("/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3"})").body);
  for (const char* key : {"ttft_s", "tpot_s", "tokens_per_s_per_user", "output_tokens_per_s", "output_tokens_per_s_per_device",
                          "total_tokens_per_s_per_device", "bound"})
    EXPECT_TRUE(perf[0].contains(key)) << key;
}

TEST(Api, UserConfigInTheBody) {
  std::ifstream in(test::data_path("configs/Qwen/Qwen3-8B/config.json"));
  const json config = json::parse(in);
  const ApiResponse r = post("/api/perf", json{{"config", config}, {"hardware", "h100"}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

struct BadCall {
  std::string path, body, field;
  int status;
};
void PrintTo(const BadCall& b, std::ostream* os) { *os << b.path << " " << b.body; }
class BadCalls : public ::testing::TestWithParam<BadCall> {};

TEST_P(BadCalls, GetAClear4xx) {
  const ApiResponse r = post(GetParam().path, GetParam().body);
  EXPECT_EQ(r.status, GetParam().status) << r.body;
  const json error = json::parse(r.body);
  ASSERT_TRUE(error.contains("error")) << r.body;
  EXPECT_EQ(error["error"]["field"], GetParam().field) << r.body;
  EXPECT_FALSE(error["error"]["message"].get<std::string>().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Rejects, BadCalls,
    ::testing::Values(BadCall{"/api/perf", "{not json", "", 400},
                      BadCall{"/api/perf", "[1, 2]", "", 400},
                      BadCall{"/api/perf", R"({"hardware": "cs-3"})", "model", 400},
                      BadCall{"/api/perf", R"({"model": 7, "hardware": "cs-3"})", "model", 400},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": "8"})", "concurrency", 400},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": -1})", "concurrency", 422},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurrency": 1e300})", "concurrency", 422},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "isl": 1e12})", "isl", 422},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "tp": 2})", "tp", 422},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-33"})", "hardware", 422},
                      BadCall{"/api/perf", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "concurency": 3})", "concurency", 400},
                      BadCall{"/api/perf", R"({"model": "llama-3.1-405b", "hardware": "h100", "devices": 1})", "", 422},
                      BadCall{"/api/perf", R"({"config": {"hidden_size": 4096}, "hardware": "h100"})", "config: key 'vocab_size'", 422},
                      BadCall{"/api/frontier", R"({"model": "gpt-oss-120b", "hardware": ["cs-3","cs-3","cs-3","cs-3","cs-3","cs-3","cs-3"]})", "hardware", 422},
                      BadCall{"/api/simulate", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "workload": "azure-conv", "rate": 1000, "duration": 10000})", "duration", 422},
                      BadCall{"/api/cost", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "price": "free"})", "price", 422},
                      BadCall{"/api/nope", "{}", "", 404}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

// A remote caller must not make the server open its own files: names only, a config travels as an object.
TEST(Api, RefusesFilePathsWhereTheCliAcceptsThem) {
  const std::string config = test::catalog_path("models/meta-llama/Llama-3.1-8B/config.json");
  for (const auto& [path, body] :
       std::vector<std::pair<std::string, std::string>>{
           {"/api/perf", R"({"model": ")" + config + R"(", "hardware": "cs-3"})"},
           {"/api/perf", R"({"model": "/dev/stdin", "hardware": "cs-3"})"},
           {"/api/perf", R"({"model": "llama-3.1-8b", "hardware": "cs-3", "spec_decode": "draft=)" + config + R"("})"},
           {"/api/footprint", R"({"model": ")" + config + R"("})"},
           {"/api/cost", R"({"model": "gpt-oss-120b", "hardware": "cs-3", "workload": ")" +
                             test::catalog_path("workloads/1k-1k.toml") + R"("})"}}) {
    const ApiResponse r = post(path, body);
    EXPECT_EQ(r.status, 422) << path << " " << body << "\n" << r.body;
    EXPECT_NE(r.body.find("catalog names"), std::string::npos) << r.body;
  }
}

TEST(Api, OversizedBodyIs413) {
  ApiLimits limits;
  limits.max_body_bytes = 100;
  const ApiResponse r = handle_api(test::catalog(), engine(), "POST", "/api/perf", std::string(200, ' '), limits);
  EXPECT_EQ(r.status, 413);
}

// Over loopback: the server binds to 127.0.0.1, answers, refuses an oversized body and an unknown route, and
// stays up.
TEST(ApiServer, LoopbackRoundTrip) {
  ServeOptions options;
  options.port = 0;
  options.threads = 2;
  options.limits.max_body_bytes = 4096;
  ApiServer server(test::catalog(), options);
  const int port = server.bind();
  std::thread thread([&] { server.run(); });
  server.wait_until_running();
  httplib::Client client("127.0.0.1", port);
  auto ok = client.Post("/api/perf", R"({"model": "llama-3.1-8b", "hardware": "h100"})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto big = client.Post("/api/perf", std::string(10000, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  auto missing = client.Get("/no/such/page");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto health = client.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  server.stop();
  thread.join();
}

}  // namespace
}  // namespace ws
