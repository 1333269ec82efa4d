#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "core/error.h"
#include "perf/engine.h"
#include "econ/token_cost.h"
#include "perf/calibration.h"
#include "test_support.h"

namespace ws {
namespace {
namespace fs = std::filesystem;

TEST(Catalog, EveryNameTheIssueListsResolves) {
  const Catalog& c = test::catalog();
  for (const char* name : {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.3-70b", "llama-4-scout",
                           "llama-4-maverick", "gpt-oss-120b", "deepseek-v3", "deepseek-r1", "qwen3-235b-a22b",
                           "deepseek-v4-pro", "deepseek-v4-flash", "llama-4-behemoth"})
    EXPECT_NO_THROW(c.model(name)) << name;
  for (const char* name : {"h100", "h200", "b200", "b300", "gb300", "r200", "vera-rubin", "tpu-v8i", "trainium3",
                           "lpu1", "lpu3", "groq-lp30", "wse-2", "wse-3", "dgx-h100", "dgx-b300", "gb300-nvl72",
                           "cs-3", "mi300x", "mi325x", "mi355x", "trainium2", "mi300x-8", "mi325x-8", "mi355x-8",
                           "trn2-48xlarge", "trn3-ultraserver"})
    EXPECT_NO_THROW(c.hardware(name)) << name;
  // chips.toml: the source's 14 and four from datasheets (AMD MI300X/MI325X/MI355X, Trainium2); roadmap.toml derives
  // six more (CS-2 as a check, CS-4, DRAM wafer, photonic I/O, N2 wafer, LP40).
  std::size_t derived = 0;
  for (const auto& d : c.roadmap.designs) derived += !d.scaled_from.empty();
  EXPECT_EQ(derived, 6u);
  EXPECT_EQ(c.chips.size(), 18u + 6u);
}

TEST(Catalog, NamesMatchCaseInsensitively) {
  EXPECT_EQ(test::catalog().hardware("GB300").chip.name, "gb300");
  EXPECT_EQ(test::catalog().model("Llama-3.1-8B").name, "llama-3.1-8b");
}

TEST(Catalog, UnknownNamesSuggestTheClosest) {
  try {
    test::catalog().model("llama-3.1-8");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.where(), "model");  // the library names fields; the CLI spells them --model
    EXPECT_NE(std::string(error.what()).find("llama-3.1-8b"), std::string::npos);
  }
  try {
    test::catalog().hardware("cs3");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("cs-3"), std::string::npos);
  }
}

TEST(Catalog, ModelPathsLoadConfigsAndFolders) {
  const auto folder = test::data_path("configs/meta-llama/Llama-3.2-1B");
  EXPECT_EQ(test::catalog().model(folder).name, "Llama-3.2-1B");
  EXPECT_EQ(test::catalog().model(folder + "/config.json").hidden_size, 2048);
  EXPECT_THROW(test::catalog().model("/no/such/config.json"), InputError);
}

TEST(Catalog, EveryDeviceClassIsKnownAndEveryChipCited) {
  for (const auto& chip : test::catalog().chips) {
    EXPECT_FALSE(chip.source.empty()) << chip.name;
    EXPECT_TRUE(chip.device_class == "hbm_gpu" || chip.device_class == "wafer" || chip.device_class == "sram_lpu");
  }
  for (const auto& system : test::catalog().systems) EXPECT_FALSE(system.source.empty()) << system.name;
  for (const auto& model : test::catalog().models) EXPECT_FALSE(model.source.empty()) << model.name;
}

// The core-level facts src/fabric/ runs on, converted once in the loader, each core-level figure cited.
TEST(Catalog, WaferFabricFactsAreLoadedAndCited) {
  const Chip& wse3 = test::catalog().chip("wse-3", "chip");
  ASSERT_TRUE(wse3.fabric.has_value());
  const WaferFabric& f = *wse3.fabric;
  EXPECT_EQ(f.fabric_width_cores, 762);
  EXPECT_EQ(f.fabric_height_cores, 1172);
  EXPECT_EQ(f.cores_physical, 970000);
  EXPECT_EQ(f.sram_bytes_per_core, 48 * 1024);
  EXPECT_EQ(f.clock_hz, 1.1e9);
  EXPECT_EQ(f.ramp_latency_cycles, 2);
  EXPECT_EQ(f.link_bytes_per_cycle, 4);
  EXPECT_EQ(f.sram_read_bytes_per_cycle, 8);
  EXPECT_EQ(f.sram_write_bytes_per_cycle, 4);
  EXPECT_EQ(f.fp16_macs_per_cycle, 8);
  EXPECT_EQ(f.core_op_latency_cycles, 1);
  for (const char* key : {"ramp_latency_cycles", "link_bytes_per_cycle", "sram_read_bytes_per_cycle",
                          "sram_write_bytes_per_cycle", "fp16_macs_per_cycle", "core_op_latency_cycles"})
    EXPECT_TRUE(f.figure_sources.count(key)) << key;
  const Chip& wse2 = test::catalog().chip("wse-2", "chip");
  ASSERT_TRUE(wse2.fabric.has_value());
  EXPECT_EQ(wse2.fabric->hop_latency_cycles, 1);
  EXPECT_EQ(wse2.fabric->cores_physical, 0);  // not published
  EXPECT_EQ(wse2.fabric->fp16_macs_per_cycle, 4);
}

// The yield model's facts: the 12 x 7 dies, the assumed defect density, the die a conventional GPU is cut as.
TEST(Catalog, YieldFactsAreLoadedAndCited) {
  const WaferFabric& f = *test::catalog().chip("wse-3", "chip").fabric;
  EXPECT_EQ(f.dies_per_wafer, 84);
  EXPECT_EQ(f.die_grid_columns, 12);
  ASSERT_TRUE(f.defect_density_per_mm2.has_value());
  EXPECT_EQ(*f.defect_density_per_mm2, 0.001);
  for (const char* key : {"dies_per_wafer", "die_grid_columns", "defect_density_per_mm2"}) EXPECT_TRUE(f.figure_sources.count(key)) << key;
  const Chip& h100 = test::catalog().chip("h100", "chip");
  ASSERT_TRUE(h100.die_area_mm2.has_value());
  EXPECT_EQ(*h100.die_area_mm2, 814);
  EXPECT_TRUE(h100.figure_sources.count("die_area_mm2"));
  const WaferFabric& wse2 = *test::catalog().chip("wse-2", "chip").fabric;
  EXPECT_EQ(wse2.dies_per_wafer, 0);  // not in the catalog
  EXPECT_FALSE(wse2.defect_density_per_mm2.has_value());
}

TEST(Catalog, EveryStoredConfigHasItsSourceNote) {
  for (const auto& model : test::catalog().models) {
    if (model.config_path.empty()) continue;
    EXPECT_TRUE(fs::exists(fs::path(model.config_path).parent_path() / "SOURCE.md")) << model.config_path;
  }
}

// A copy of the built-in catalog with one file edited, for the rejection tests.
class BrokenCatalog : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ws_catalog_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::copy(WAFERSCOPE_CATALOG_DIR, root_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(root_); }

  void replace(const std::string& file, const std::string& from, const std::string& to) {
    std::ifstream in(root_ / file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(root_ / file) << text;
  }

  std::string load_error() {
    try {
      load_catalog(root_.string());
    } catch (const InputError& error) {
      return error.what();
    }
    return "";
  }

  fs::path root_;
};

TEST_F(BrokenCatalog, UnknownKeyIsRejectedWithFileAndLine) {
  replace("chips.toml", "memory_type = \"HBM3\"\n", "memory_type = \"HBM3\"\nmemory_bandwith_tb_per_s = 3\n");
  const std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(chips\.toml:\d+ \[h100\]\.memory_bandwith_tb_per_s: unknown key)")))
      << message;
  EXPECT_NE(message.find("did you mean"), std::string::npos);
}

// The MTP/disaggregated file: a spec method or disagg flag the engine does not know names file and line; so does
// a fractional compute-unit count in chips.toml, and a Groq row without a positive value.
TEST_F(BrokenCatalog, MeasurementFlagsAndCountsAreChecked) {
  replace("measurements/inferencex_dsr1_mtp_and_disagg.csv", "b200,trt,dsr1,fp8,mtp,False,", "b200,trt,dsr1,fp8,eagle,False,");
  std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dsr1_mtp_and_disagg\.csv:\d+.*spec_method: expected none or mtp, got 'eagle')")))
      << message;
  replace("measurements/inferencex_dsr1_mtp_and_disagg.csv", "b200,trt,dsr1,fp8,eagle,False,", "b200,trt,dsr1,fp8,mtp,Maybe,");
  message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dsr1_mtp_and_disagg\.csv:\d+.*disagg: expected True or False, got 'maybe')")))
      << message;
  replace("measurements/inferencex_dsr1_mtp_and_disagg.csv", "b200,trt,dsr1,fp8,mtp,Maybe,", "b200,trt,dsr1,fp8,mtp,False,");
  replace("chips.toml", "compute_units = 132\n", "compute_units = 132.5\n");
  message = load_error();
  EXPECT_NE(message.find("[h100].compute_units: expected an integer"), std::string::npos) << message;
  replace("chips.toml", "compute_units = 132.5\n", "compute_units = 132\n");
  replace("measurements/groq_llama2_70b_2024.csv", "ttft_p50,0.2219,", "ttft_p50,-0.2219,");
  message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(groq_llama2_70b_2024\.csv:\d+: value: expected a positive number)"))) << message;
}

// The decode workers' limits join their runs exactly: the 37 recipe rows land on 37 disaggregated runs, and a row
// that names no run, or the wrong worker count, is an error naming the recipe file and line.
TEST_F(BrokenCatalog, DecodeBatchLimitsJoinTheirRuns) {
  int limited = 0;
  for (const auto& m : load_catalog(root_.string()).gpu_measurements) {
    if (m.decode_max_running == 0) continue;
    ++limited;
    EXPECT_TRUE(m.disaggregated) << m.line;
  }
  EXPECT_EQ(limited, 37);
  const std::string file = "measurements/inferencex_dynamo_decode_batch.csv";
  replace(file, "h100,dynamo-trt,none,1024,1024,6,16,48,3,16,", "h100,dynamo-trt,none,1024,1024,7,16,48,3,16,");
  std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dynamo_decode_batch\.csv:\d+: matches no disaggregated run)")))
      << message;
  replace(file, "h100,dynamo-trt,none,1024,1024,7,16,48,3,16,", "h100,dynamo-trt,none,1024,1024,6,16,48,2,16,");
  message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dynamo_decode_batch\.csv:\d+: decode_workers x decode_tp = 2 x 16)")))
      << message;
}

// A calibration.toml without a constant its device class needs is an input error naming the table and key (exit
// 2), not an internal one, when the engine is built from it.
TEST_F(BrokenCatalog, MissingDeviceConstantIsNamed) {
  replace("calibration.toml", "kernel_overhead_s = ", "kernel_overhed_s = ");
  const Catalog c = load_catalog(root_.string());
  try {
    PerfEngine engine(c);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("calibration.toml [hbm_gpu]: missing constant 'kernel_overhead_s'"), std::string::npos)
        << e.what();
  }
}

TEST_F(BrokenCatalog, FabricKeysAreCheckedWithFileAndLine) {
  replace("chips.toml", "ramp_latency_cycles = 2\nlink_bytes_per_cycle = 4\nsram_read_bytes_per_cycle = 8\nsram_write_bytes_per_cycle = 4\nfp16_macs_per_cycle = 8",
          "ramp_latency_cycle = 2\nlink_bytes_per_cycle = 4\nsram_read_bytes_per_cycle = 8\nsram_write_bytes_per_cycle = 4\nfp16_macs_per_cycle = 8");
  std::string message = load_error();
  EXPECT_NE(message.find("[wse-3.fabric].ramp_latency_cycles: missing required key"), std::string::npos) << message;
  replace("chips.toml", "ramp_latency_cycle = 2", "ramp_latency_cycles = 2\nramp_latency_cycle = 2");
  message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(chips\.toml:\d+ \[wse-3\.fabric\]\.ramp_latency_cycle: unknown key)"))) << message;
}

TEST_F(BrokenCatalog, YieldKeysAreChecked) {
  replace("chips.toml", "die_grid_columns = 12", "die_grid_columns = 11");
  EXPECT_NE(load_error().find("[wse-3.fabric].die_grid_columns: expected a divisor of dies_per_wafer"), std::string::npos);
  replace("chips.toml", "die_grid_columns = 11", "die_grid_columns = 12");
  replace("chips.toml", "defect_density_per_mm2 = 0.001", "defect_density_per_mm2 = 2");
  EXPECT_NE(load_error().find("[wse-3.fabric].defect_density_per_mm2: expected a density below 1"), std::string::npos);
  replace("chips.toml", "defect_density_per_mm2 = 2", "defect_density_per_mm2 = 0.001\ndefect_density_per_mm = 0.001");
  EXPECT_NE(load_error().find("[wse-3.fabric].defect_density_per_mm: unknown key"), std::string::npos);
}

TEST_F(BrokenCatalog, NegativeBandwidthIsRejectedWhenLoaded) {
  replace("chips.toml", "memory_bandwidth_tb_per_s = 3.35", "memory_bandwidth_tb_per_s = -3.35");
  const std::string message = load_error();
  EXPECT_NE(message.find("[h100].memory_bandwidth_tb_per_s: expected a positive number"), std::string::npos) << message;
}

TEST_F(BrokenCatalog, MissingKeyIsNamed) {
  replace("systems.toml", "chips = 72\n", "");
  EXPECT_NE(load_error().find("[gb300-nvl72].chips: missing required key"), std::string::npos);
}

TEST_F(BrokenCatalog, UnknownChipInSystemIsNamed) {
  replace("systems.toml", "chip = \"wse-3\"", "chip = \"wse-4\"");
  const std::string message = load_error();
  EXPECT_NE(message.find("unknown chip 'wse-4'"), std::string::npos) << message;
  EXPECT_NE(message.find("wse-3"), std::string::npos);
}

TEST_F(BrokenCatalog, UnknownDeviceClassIsNamed) {
  replace("chips.toml", "device_class = \"wafer\"", "device_class = \"wafr\"");
  EXPECT_NE(load_error().find("unknown device class 'wafr'"), std::string::npos);
}

TEST_F(BrokenCatalog, TomlSyntaxErrorHasLineAndColumn) {
  replace("precisions.toml", "bits_per_element = 16\n", "bits_per_element = = 16\n");
  EXPECT_TRUE(std::regex_search(load_error(), std::regex(R"(precisions\.toml:\d+:\d+)")));
}

TEST_F(BrokenCatalog, FractionOutOfRangeIsRejected) {
  replace("economics.toml", "utilization = 0.80", "utilization = 1.8");
  EXPECT_NE(load_error().find("[cs-3].utilization: expected a fraction"), std::string::npos);
}

// peers.toml and the measurement CSVs are read once, by load_catalog, into typed values.
TEST(Catalog, PeersAndMeasurementsAreLoadedOnce) {
  const Catalog& c = test::catalog();
  ASSERT_TRUE(c.calculator.has_value());
  EXPECT_EQ(c.calculator->default_concurrency, 250);
  EXPECT_EQ(&load_calculator_constants(c), &*c.calculator);  // no re-read: the catalog's own values
  EXPECT_GT(c.gpu_measurements.size(), 50u);
  EXPECT_EQ(c.gpu_measurements.front().file, "inferencex_dsr1_h200_b200.csv");
  EXPECT_GT(c.gpu_measurements.front().line, 1);
  std::size_t fitted = 0;
  for (const auto& m : c.wafer_measurements) fitted += m.used_for_fit ? 1 : 0;
  EXPECT_EQ(fitted, 6u);  // the vendor's 4 peaks (stack cerebras) and 2 launch speeds (cerebras-2024)
  EXPECT_EQ(c.waferllm_measurements.size(), 6u);  // WaferLLM's own rows; its baselines (T10, SGLang) are not loaded
  EXPECT_EQ(c.lpu_measurements.size(), 7u);
  // Groq: the two decode speeds and the TTFT are operating points; the other rows (chip count, client-side
  // throughputs) are checked elsewhere.
  std::size_t disaggregated = 0;
  for (const auto& m : c.gpu_measurements) disaggregated += m.disaggregated ? 1 : 0;
  EXPECT_EQ(disaggregated, 45u);  // inferencex_dsr1_mtp_and_disagg.csv: Dynamo runs on H100/H200
  EXPECT_EQ(load_measurements(c).size(),
            c.gpu_measurements.size() + c.wafer_measurements.size() + c.waferllm_measurements.size() + 3);
}

TEST_F(BrokenCatalog, PeersUnknownKeyIsRejectedWithFileAndLine) {
  replace("peers.toml", "cache_read_speedup = 5", "cache_read_speedup = 5\ncache_read_spedup = 5");
  const std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(peers\.toml:\d+ \[public-calculator\]\.cache_read_spedup: unknown key)")))
      << message;
}

TEST_F(BrokenCatalog, SpeculationUnknownKeyOrDraftIsRejectedWithFileAndLine) {
  replace("speculative.toml", "draft_tokens = 4", "draft_tokens = 4\ndraft_token = 4");
  std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(speculative\.toml:\d+ \[cerebras\]\.draft_token: unknown key)"))) << message;
  replace("speculative.toml", "draft_token = 4", "");
  replace("speculative.toml", "\"llama-3.3-70b\" = \"llama-3.1-8b\"", "\"llama-3.3-70b\" = \"llama-3.1-9b\"");
  message = load_error();
  EXPECT_NE(message.find("unknown model 'llama-3.1-9b'"), std::string::npos) << message;
}

TEST_F(BrokenCatalog, MeasurementUnknownColumnIsRejectedWithFileAndLine) {
  replace("measurements/cerebras_launch_2024.csv", "model,cs3_needed,", "model,cs3_neded,");
  const std::string message = load_error();
  EXPECT_NE(message.find("cerebras_launch_2024.csv:4"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown column 'cs3_neded'"), std::string::npos) << message;
}

// A run's date and GitHub Actions run (its software's age, calibration) are checked where they are read.
TEST_F(BrokenCatalog, MeasurementDateAndRunAreChecked) {
  const std::string file = "measurements/inferencex_dsr1_h200_b200.csv";
  replace(file, ",2026-05-18,nvcr.io", ",18/05/2026,nvcr.io");
  std::string message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dsr1_h200_b200\.csv:\d+.*date: expected YYYY-MM-DD, got '18/05/2026')")))
      << message;
  replace(file, ",18/05/2026,nvcr.io", ",2026-05-18,nvcr.io");
  replace(file, "/actions/runs/26016874169/", "/actions/jobs/26016874169/");
  message = load_error();
  EXPECT_TRUE(std::regex_search(message, std::regex(R"(inferencex_dsr1_h200_b200\.csv:\d+.*run_url/run_id: expected a GitHub Actions run)")))
      << message;
}

TEST_F(BrokenCatalog, MeasurementBadNumberIsRejectedWhenLoaded) {
  std::ifstream in(root_ / "measurements/inferencex_dsr1_h200_b200.csv");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const auto row = text.find("\nb200,");
  ASSERT_NE(row, std::string::npos);
  const auto tp = text.find(",8,1,", row);  // decode_tp, decode_ep of the first b200 row
  ASSERT_NE(tp, std::string::npos);
  text.replace(tp, 5, ",eight,1,");
  std::ofstream(root_ / "measurements/inferencex_dsr1_h200_b200.csv") << text;
  const std::string message = load_error();
  EXPECT_NE(message.find("inferencex_dsr1_h200_b200.csv:"), std::string::npos) << message;
  EXPECT_NE(message.find("decode_tp"), std::string::npos) << message;
}

// A small catalog (tests build them) without peers.toml or measurements/ still loads; asking for the
// calculator's constants then names the missing file.
TEST_F(BrokenCatalog, WithoutPeersAndMeasurementsTheCatalogStillLoads) {
  fs::remove(root_ / "peers.toml");
  fs::remove_all(root_ / "measurements");
  const Catalog c = load_catalog(root_.string());
  EXPECT_FALSE(c.calculator.has_value());
  EXPECT_TRUE(c.gpu_measurements.empty());
  EXPECT_TRUE(load_measurements(c).empty());
  try {
    load_calculator_constants(c);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("peers.toml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ws
