// End-to-end tests of `waferscope fleet`, `roofline` and `lengths`: the source's figures through the binary, the
// charts and CSV they write, and bad input (exit 2 naming the flag); the API's answers and its 4xx.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "api/server.h"
#include "cli/run_binary.h"
#include "test_support.h"

namespace ws {
namespace {

using nlohmann::json;
using test::Result;
using test::run;
namespace fs = std::filesystem;

json run_json(const std::string& args) {
  const Result r = run(args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  // The binary writes "wrote FILE" lines to stderr after the JSON; parse the document only.
  std::istringstream lines(r.output);
  std::string document, line;
  while (std::getline(lines, line))
    if (line.rfind("wrote ", 0) != 0) document += line + "\n";
  return json::parse(document);
}

fs::path scratch() {
  const auto dir = fs::temp_directory_path() / ("ws_planning_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// The issue's example: 750 MW of CS-3 is 25,000 systems; published ~30 kW all-in, PUE 1.35, ~100 L/min per system.
TEST(CliFleet, SevenHundredFiftyMegawattsOfCs3) {
  const json rows = run_json("fleet --hardware cs-3 --mw 750");
  ASSERT_EQ(rows.size(), 1u);
  const json& f = rows[0];
  EXPECT_EQ(f["systems"], 25000);
  EXPECT_DOUBLE_EQ(f["facility_mw"].get<double>(), 1012.5);
  EXPECT_DOUBLE_EQ(f["coolant_flow_l_per_min"].get<double>(), 2.5e6);
  EXPECT_DOUBLE_EQ(f["rental_usd_per_year"].get<double>(), 25000 * 41.96 * 8760);  // the deal's implied rental
  EXPECT_GT(f["output_tokens_per_day"].get<double>(), 0);
  EXPECT_GT(f["revenue_usd_per_year"].get<double>(), 0);
}

TEST(CliFleet, ScheduleTableAndChart) {
  const std::string chart = (scratch() / "schedule.svg").string();
  const json rows = run_json("fleet --schedule --plot " + chart);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["year"], 2026);
  EXPECT_DOUBLE_EQ(rows[0]["shortfall_mw"].get<double>(), 250 - 43);
  EXPECT_DOUBLE_EQ(rows[1]["shortfall_mw"].get<double>(), 500 - 140);
  EXPECT_DOUBLE_EQ(rows[2]["required_mw"].get<double>(), 750);
  EXPECT_GT(fs::file_size(chart), 1000u);
}

// Golden: at 2 FLOP/byte in FP8 the WSE-3 gives its full 15,625 TFLOPS, an H100 2 x 3.35 TB/s = 6.7 TFLOPS.
TEST(CliRoofline, CurvesAtTwoFlopsPerByteAndTheCsv) {
  const std::string csv = (scratch() / "curves.csv").string(), chart = (scratch() / "roofline.png").string();
  const json out = run_json("roofline --csv " + csv + " --plot " + chart);
  int found = 0;
  for (const auto& row : out["curves"]) {
    if (row["arithmetic_intensity"] != 2.0) continue;
    if (row["name"] == "wse-3") {
      EXPECT_DOUBLE_EQ(row["attainable_flops_per_s"].get<double>(), 15625e12);
      ++found;
    }
    if (row["name"] == "h100") {
      EXPECT_DOUBLE_EQ(row["attainable_flops_per_s"].get<double>(), 6.7e12);
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("name,arithmetic_intensity,attainable_flops_per_s", 0), 0u) << header;
  bool wse3_at_two = false;
  while (std::getline(in, line))
    if (line.rfind("wse-3,2,", 0) == 0) wse3_at_two = std::stod(line.substr(8)) == 15625e12;
  EXPECT_TRUE(wse3_at_two);
  EXPECT_GT(fs::file_size(chart), 1000u);
}

TEST(CliRoofline, AMillionDollarsOfEachKind) {
  const json out = run_json("roofline --per-usd 1e6");
  std::map<std::string, json> by_name;
  for (const auto& row : out["rooflines"]) by_name[row["name"]] = row;
  EXPECT_EQ(by_name.at("dgx-b300")["whole_units"], 2);
  EXPECT_EQ(by_name.at("groq-lp30")["whole_units"], 50);
  EXPECT_EQ(by_name.at("cs-3")["whole_units"], 1);
  EXPECT_NEAR(by_name.at("gb300-nvl72")["chips"].get<double>() / 4, 4.5, 0.05);  // ~4 sleds of 4 GPUs
  const json systems = run_json("roofline --system dgx-h100,gb300-nvl72,cs-3 --plot " + (scratch() / "systems.svg").string());
  EXPECT_EQ(systems["rooflines"].size(), 3u);
}

// The agentic workload: published median 96.3k input tokens, "almost 50%" above 128k.
TEST(CliLengths, AgenticShareAbove128k) {
  const std::string chart = (scratch() / "lengths.png").string();
  const json out = run_json("lengths --workload agentic-coding --plot " + chart);
  const json& s = out["summary"][0];
  EXPECT_DOUBLE_EQ(s["median_tokens"].get<double>(), 96300);
  EXPECT_EQ(s["threshold_tokens"], 128000);
  EXPECT_GT(s["share_above"].get<double>(), 0.40);
  EXPECT_LT(s["share_above"].get<double>(), 0.50);
  double total = 0;
  for (const auto& b : out["bins"]) total += b["share"].get<double>();
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_GT(fs::file_size(chart), 1000u);
  fs::remove_all(scratch());
}

TEST(CliPlanning, BadInputIsExitTwoNamingTheFlag) {
  const struct { const char* args; const char* says; } cases[] = {
      {"fleet --mw 0", "--mw"},
      {"fleet --mw 20000", "--mw"},
      {"fleet --mw 0.01", "--mw: expected at least one system's all-in power (30 kW for cs-3)"},
      {"fleet --mw x", "--mw"},
      {"fleet --hardware cs-9", "--hardware: unknown"},
      {"fleet --hardware hgx-h200", "--hardware"},
      {"fleet --workload nope", "--workload"},
      {"fleet --price-list nope", "--price-list"},
      {"fleet --concurrency 0.5", "--concurrency"},
      {"fleet --schedule --plan nope", "--plan: unknown capacity plan"},
      {"fleet --plot out.png", "--plot: expected --schedule"},
      {"fleet --schedule --plot out.gif", "--plot"},
      {"roofline --chip nope", "--chip: unknown"},
      {"roofline --system h100", "--system: expected a system"},
      {"roofline --chip h100 --dtype fp4", "--dtype"},
      {"roofline --dtype fp7", "--dtype"},
      {"roofline --per-usd 0", "--per-usd"},
      {"roofline --per-usd 1e13", "--per-usd"},
      {"roofline --per-usd 1e6 --system mi300x-8", "--system: 'mi300x-8' has no price"},
      {"roofline --plot out.gif", "--plot"},
      {"lengths --workload nope", "--workload"},
      {"lengths --above 0", "--above"},
      {"lengths --bins 0", "--bins"},
      {"lengths --bins 2.5", "--bins"},
      {"lengths --plot out.gif", "--plot"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}

ApiResponse post(const std::string& path, const std::string& body) {
  static const PerfEngine engine(test::catalog());
  return handle_api(test::catalog(), engine, "POST", path, body);
}

TEST(ApiPlanning, SameFiguresAndFourHundredsNamingTheField) {
  const json fleet = json::parse(post("/api/fleet", R"({"hardware": "cs-3", "mw": 750})").body);
  EXPECT_EQ(fleet[0]["systems"], 25000);
  const json roofline = json::parse(post("/api/roofline", R"({"chip": ["wse-3"], "dtype": "fp8"})").body);
  EXPECT_EQ(roofline["rooflines"][0]["name"], "wse-3");
  const json lengths = json::parse(post("/api/lengths", R"({"workload": "agentic-coding"})").body);
  EXPECT_DOUBLE_EQ(lengths["summary"][0]["median_tokens"].get<double>(), 96300);
  const struct { const char* path; const char* body; const char* field; } bad[] = {
      {"/api/fleet", R"({"mw": 0.01})", "mw"},
      {"/api/fleet", R"({"mw": 1e5})", "mw"},
      {"/api/fleet", R"({"plot": "x.png"})", "plot"},
      {"/api/roofline", R"({"per_usd": -1})", "per_usd"},
      {"/api/roofline", R"({"csv": "/tmp/x.csv"})", "csv"},
      {"/api/lengths", R"({"bins": 1.5})", "bins"},
  };
  for (const auto& b : bad) {
    const ApiResponse r = post(b.path, b.body);
    EXPECT_GE(r.status, 400) << b.path << " " << b.body;
    EXPECT_LT(r.status, 500) << b.path << " " << b.body;
    EXPECT_EQ(json::parse(r.body)["error"]["field"], b.field) << r.body;
  }
}

}  // namespace
}  // namespace ws
