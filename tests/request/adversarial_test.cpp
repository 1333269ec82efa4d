// Every command and every endpoint, every field, the values a script or a typo produces: 0, -1, 0.4, 1e12,
// 1e308, nan, inf, "", a 10k-character string, an unknown field; and pasted config.json files with each integer
// field at 0, 0.4, -3 and 1e12. The CLI must answer with exit code 0 or exactly 2 and a clear message (never a
// signal, a hang or an internal error); the server must answer 200 or a 4xx with a message, and stay up.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "api/server.h"
#include "request/command.h"
#include "test_support.h"

namespace ws {
namespace {

using json = nlohmann::json;

struct CliRun {
  int exit_code = -1;
  std::string output;
};

// The binary under `timeout` in a scratch folder (--out and --plot values land there): a hang is exit 124, a
// signal 128 + its number; neither is accepted anywhere below.
CliRun run_cli(const std::vector<std::string>& args) {
  static const std::string scratch = [] {
    const auto dir = std::filesystem::temp_directory_path() / ("waferscope_adversarial_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    return dir.string();
  }();
  std::string command = "cd '" + scratch + "' && timeout 60 " + std::string(WAFERSCOPE_BINARY);
  for (const auto& a : args) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += " " + quoted + "'";
  }
  command += " 2>&1";
  CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe)) r.output += buffer.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// A valid, quick request per command, as CLI arguments and as a JSON body. A command missing here fails the test
// below, so a new command cannot skip this suite.
const std::map<std::string, std::pair<std::vector<std::string>, json>>& bases() {
  static const std::map<std::string, std::pair<std::vector<std::string>, json>> b = {
      {"chips", {{}, json::object()}},
      {"systems", {{}, json::object()}},
      {"models", {{}, json::object()}},
      {"precisions", {{}, json::object()}},
      {"workloads", {{}, json::object()}},
      {"footprint", {{"--model", "llama-3.1-8b"}, {{"model", "llama-3.1-8b"}}}},
      {"gemm", {{"--chip", "h100"}, {{"chip", "h100"}}}},
      {"fabric", {{"--kernel", "gemv", "--region", "16x16", "--size", "256"}, {{"kernel", "gemv"}, {"region", "16x16"}, {"size", 256}}}},
      {"wafer", {{"--region", "16x16", "--trials", "2"}, {{"region", "16x16"}, {"trials", 2}}}},
      {"deploy", {{"--model", "llama-3.1-8b", "--hardware", "cs-3"}, {{"model", "llama-3.1-8b"}, {"hardware", "cs-3"}}}},
      {"tco", {{"--hardware", "cs-3"}, {{"hardware", "cs-3"}}}},
      {"deal", {{"--sensitivity"}, {{"sensitivity", true}}}},
      {"bom", {{"--hardware", "cs-3"}, {{"hardware", "cs-3"}}}},
      {"perf", {{"--model", "llama-3.1-8b", "--hardware", "cs-3"}, {{"model", "llama-3.1-8b"}, {"hardware", "cs-3"}}}},
      {"frontier", {{"--model", "llama-3.1-8b", "--hardware", "cs-3", "--max-concurrency", "8"},
                    {{"model", "llama-3.1-8b"}, {"hardware", "cs-3"}, {"max_concurrency", 8}}}},
      {"cost", {{"--model", "gpt-oss-120b", "--hardware", "cs-3"}, {{"model", "gpt-oss-120b"}, {"hardware", "cs-3"}}}},
      {"feasibility", {{"--points", "5"}, {{"points", 5}}}},
      {"disagg", {{"--model", "gpt-oss-120b", "--prefill", "dgx-b300", "--decode", "cs-3"},
                  {{"model", "gpt-oss-120b"}, {"prefill", "dgx-b300"}, {"decode", "cs-3"}}}},
      {"offload", {{"--model", "gpt-oss-120b"}, {{"model", "gpt-oss-120b"}}}},
      {"simulate", {{"--model", "llama-3.1-8b", "--hardware", "cs-3", "--workload", "1k-1k", "--rate", "1", "--duration", "5"},
                    {{"model", "llama-3.1-8b"}, {"hardware", "cs-3"}, {"workload", "1k-1k"}, {"rate", 1}, {"duration", 5}}}},
      {"validate", {{}, json::object()}},
      // calibrate fits for minutes: its base names no class, so every case is a quick rejection or a quick answer.
      {"calibrate", {{"--device-class", "none"}, json::object()}},
      {"roadmap", {{"--preset", "cs-3", "--feasibility-contexts", "8192"}, {{"preset", "cs-3"}, {"feasibility_contexts", "8192"}}}},
      {"report", {{"--out", "report_out"}, json::object()}},
      {"fleet", {{"--mw", "30"}, {{"mw", 30}}}},
      {"roofline", {{"--chip", "h100"}, {{"chip", "h100"}}}},
      {"lengths", {{}, json::object()}},
  };
  return b;
}

const std::vector<std::string> text_values = {"0", "-1", "0.4", "1e12", "1e308", "nan", "inf", "", std::string(10000, 'x')};

bool numeric(const Field& f) {
  return f.type == FieldType::integer || f.type == FieldType::number || f.type == FieldType::tokens;
}

class EveryCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCommand, CliAnswersZeroOrTwoWithAClearMessage) {
  const Command& command = *find_command(GetParam());
  ASSERT_TRUE(bases().count(command.name)) << "add a base request for " << command.name;
  const auto& base = bases().at(command.name).first;
  auto check = [&](const std::vector<std::string>& args, bool must_reject, const std::string& flag) {
    std::vector<std::string> all = {command.name};
    all.insert(all.end(), args.begin(), args.end());
    const CliRun r = run_cli(all);
    std::string shown;
    for (const auto& a : all) shown += (a.size() > 40 ? a.substr(0, 40) + "..." : a) + " ";
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << shown << "-> exit " << r.exit_code << "\n" << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << shown << "\n" << r.output;
    if (r.exit_code == 2) {
      EXPECT_TRUE(r.output.rfind("waferscope: error: ", 0) == 0 || r.output.rfind("waferscope: infeasible: ", 0) == 0)
          << shown << "\n" << r.output;
      EXPECT_LT(r.output.size(), 2000u) << shown << " (a clear error is short)";
    }
    if (must_reject) {
      EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.output;
      EXPECT_NE(r.output.find(flag), std::string::npos) << shown << " should name " << flag << "\n" << r.output;
    }
  };
  if (command.name == "report") {
    // report's one field is a folder name: every text is a valid one, and each run writes the whole report.
    check({"--out", std::string(10000, 'x')}, true, "--out");
  } else {
    for (const auto& field : command.fields) {
      if (field.surface == Surface::api) continue;
      const std::string flag = spell(field.name, Caller::cli);
      for (const auto& value : text_values) {
        std::vector<std::string> args = base;
        // A field the base already sets is replaced, not repeated.
        for (std::size_t i = 0; i + 1 < args.size(); ++i)
          if (args[i] == flag) args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
        args.push_back(flag);
        args.push_back(value);
        const bool beyond_every_cap = value == "1e308" || value == "nan" || value == "inf";
        const bool fraction = value == "0.4" && field.type == FieldType::integer;
        check(args, numeric(field) && (beyond_every_cap || fraction), flag);
      }
    }
  }
  std::vector<std::string> unknown = base;
  unknown.insert(unknown.end(), {"--definitely-not-a-field", "1"});
  check(unknown, true, "--definitely-not-a-field");
}

// The API: the same values as JSON, through a real server on loopback, which must still answer afterwards.
TEST_P(EveryCommand, ServerAnswersA4xxAndStaysUp) {
  const Command& command = *find_command(GetParam());
  if (!command.api) {
    const ApiResponse r = handle_api(test::catalog(), PerfEngine(test::catalog()), "POST", "/api/" + command.name, "{}");
    EXPECT_EQ(r.status, 404) << command.name << " is CLI-only";
    return;
  }
  ServeOptions options;
  options.port = 0;
  options.threads = 4;
  ApiServer server(test::catalog(), options);
  const int port = server.bind();
  std::thread serving([&] { server.run(); });
  server.wait_until_running();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  const std::string path = "/api/" + command.name;
  const json& base = bases().at(command.name).second;
  const std::vector<json> json_values = {0, -1, 0.4, 1e12, 1e308, "nan", "inf", "", std::string(10000, 'x')};
  auto check = [&](const std::string& body, bool must_reject, const std::string& field) {
    auto r = client.Post(path, body, "application/json");
    ASSERT_TRUE(r) << path << " " << body.substr(0, 200) << ": no answer (" << httplib::to_string(r.error()) << ")";
    ASSERT_TRUE(r->status == 200 || (r->status >= 400 && r->status < 500)) << path << " " << body.substr(0, 200) << " -> "
                                                                             << r->status << " " << r->body.substr(0, 400);
    const json answer = json::parse(r->body);
    if (r->status != 200) {
      ASSERT_TRUE(answer.contains("error")) << r->body;
      EXPECT_FALSE(answer["error"]["message"].get<std::string>().empty()) << r->body;
    }
    if (must_reject) {
      EXPECT_GE(r->status, 400) << path << " " << body.substr(0, 200);
      EXPECT_EQ(answer["error"]["field"], field) << r->body.substr(0, 400);
    }
  };
  for (const auto& field : command.fields) {
    if (field.surface == Surface::cli) continue;
    for (const auto& value : json_values) {
      json body = base;
      body[field.name] = value;
      const bool beyond_every_cap = value.is_number() && value.get<double>() > 1e16;
      const bool fraction = value.is_number_float() && value.get<double>() == 0.4 && field.type == FieldType::integer;
      const bool wrong_type = value.is_string() && numeric(field) && field.type != FieldType::tokens;
      check(body.dump(), numeric(field) && (beyond_every_cap || fraction || wrong_type), field.name);
    }
  }
  json unknown = base;
  unknown["definitely_not_a_field"] = 1;
  check(unknown.dump(), true, "definitely_not_a_field");
  for (const std::string& raw : std::vector<std::string>{"{\"isl\": NaN}", "{", "[]", "\"text\"", "null", std::string(10000, '[')}) {
    auto r = client.Post(path, raw, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << raw.substr(0, 50) << " -> " << r->body.substr(0, 200);
  }
  auto health = client.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  server.stop();
  serving.join();
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& c : commands()) names.push_back(c.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Adversarial, EveryCommand, ::testing::ValuesIn(command_names()),
                         [](const auto& info) { return info.param; });

// Pasted config.json files: every integer field of real configs (dense, MLA + MoE, MoE with decoder_sparse_step,
// interleaved MoE with NoPE layers, sliding windows) set to 0, 0.4, -3 and 1e12.
std::vector<std::string> config_paths() {
  return {"meta-llama/Llama-3.1-8B", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B", "meta-llama/Llama-4-Maverick-17B-128E",
          "openai/gpt-oss-120b"};
}

void integer_paths(const json& node, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) integer_paths(value, at / key, out);
  } else if (node.is_number_integer()) {
    out.push_back(at);
  }
}

TEST(AdversarialConfig, EveryIntegerFieldAtBadValuesIsAClearErrorOrHarmless) {
  const PerfEngine engine(test::catalog());
  const auto scratch = std::filesystem::temp_directory_path() / ("waferscope_configs_" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch);
  int cli_runs = 0;
  for (const auto& model : config_paths()) {
    std::ifstream in(test::catalog_path("models/" + model + "/config.json"));
    const json config = json::parse(in);
    std::vector<json::json_pointer> fields;
    integer_paths(config, json::json_pointer(), fields);
    ASSERT_GT(fields.size(), 5u) << model;
    for (const auto& field : fields) {
      for (const json& value : {json(0), json(0.4), json(-3), json(1e12)}) {
        json bad = config;
        bad[field] = value;
        const json body = {{"config", bad}, {"hardware", "b200"}};
        const ApiResponse r = handle_api(test::catalog(), engine, "POST", "/api/perf", body.dump());
        const std::string shown = model + " " + field.to_string() + " = " + value.dump();
        ASSERT_TRUE(r.status == 200 || r.status == 422) << shown << " -> " << r.status << " " << r.body;
        if (r.status == 422) {
          const std::string message = json::parse(r.body)["error"]["message"].get<std::string>();
          EXPECT_FALSE(message.empty()) << shown;
        }
        // The CLI reads the same file from disk (one in four cases, to keep the suite quick).
        if (++cli_runs % 4 == 0) {
          const auto path = scratch / "config.json";
          std::ofstream(path) << bad.dump();
          const CliRun c = run_cli({"footprint", "--model", path.string(), "--format", "json"});
          EXPECT_TRUE(c.exit_code == 0 || c.exit_code == 2) << shown << " -> exit " << c.exit_code << "\n" << c.output;
        }
      }
    }
  }
  // The classes that crashed the server before: a fractional or zero count where the reader divides.
  for (const char* key : {"num_key_value_heads", "num_attention_heads", "num_hidden_layers", "hidden_size"}) {
    std::ifstream in(test::catalog_path("models/meta-llama/Llama-3.1-8B/config.json"));
    json config = json::parse(in);
    for (const json& value : {json(0), json(0.4), json(-3), json(1e12)}) {
      config[key] = value;
      const ApiResponse r = handle_api(test::catalog(), engine, "POST", "/api/perf", json{{"config", config}, {"hardware", "b200"}}.dump());
      EXPECT_EQ(r.status, 422) << key << " = " << value << ": " << r.body;
      EXPECT_NE(r.body.find(key), std::string::npos) << key << " = " << value << ": " << r.body;
    }
  }
}

TEST(AdversarialServe, ServeFlagsAreValidated) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"serve", "--port", "70000"}, {"serve", "--port", "0.4"},
                                               {"serve", "--threads", "0"}, {"serve", "--threads", "1e12"}}) {
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << args[2] << "\n" << r.output;
    EXPECT_NE(r.output.find(args[1]), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace ws
