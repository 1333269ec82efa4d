// Roadmap designs (catalog/roadmap.toml, src/hardware/roadmap.h): the reference derives to the catalog's own chip,
// the source's statements about each future hold (CS-4 and a 2 nm wafer keep the WSE-3's SRAM), the WSE-2 derived
// from the WSE-3 lands near its published figures, and the file is checked like every catalog file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog/catalog.h"
#include "catalog/roadmap_loader.h"
#include "core/error.h"
#include "test_support.h"

namespace ws {
namespace {

const Chip& chip_of(const std::string& system) {
  for (const auto& s : test::catalog().systems)
    if (s.name == system) return test::catalog().chip(s.chip_name);
  throw std::runtime_error("no system " + system);
}

TEST(Roadmap, ReferenceDerivesToTheCatalogChip) {
  const Catalog& c = test::catalog();
  const ChipDesign& cs3 = c.roadmap.design("cs-3");
  const Hardware h = c.hardware("cs-3");
  const DerivedHardware same = derive_hardware(cs3, cs3, c.roadmap, h.chip, h.system, std::nullopt);
  EXPECT_DOUBLE_EQ(same.chip.main_memory.capacity_bytes, 44e9);        // SA chip table
  EXPECT_DOUBLE_EQ(same.chip.main_memory.bandwidth_bytes_per_s, 21e15);
  EXPECT_DOUBLE_EQ(*same.chip.flops_per_s("fp16"), 15.625e15);
  EXPECT_DOUBLE_EQ(same.chip.fabric->cores_enabled, 900000);
  EXPECT_DOUBLE_EQ(*same.chip.scale_out_bytes_per_s, 150e9);
}

TEST(Roadmap, Cs4AndTwoNanometreWaferKeepTheSram) {
  // SA: "CS-4 keeps the N5 WSE-3 with more power and clock: more compute, same SRAM"; "no SRAM shrink at N3E/N2".
  const Chip& cs4 = chip_of("cs-4");
  EXPECT_DOUBLE_EQ(cs4.main_memory.capacity_bytes, 44e9);
  EXPECT_DOUBLE_EQ(*cs4.flops_per_s("fp16"), 15.625e15 * 1.375 / 1.1);  // roadmap.toml's clock, 1.375 GHz
  const Chip& n2 = chip_of("cs-n2");
  EXPECT_DOUBLE_EQ(n2.main_memory.capacity_bytes, 44e9);
  EXPECT_DOUBLE_EQ(*n2.flops_per_s("fp16"), 15.625e15 * 1.84);  // TSMC's N2 logic density vs N5
  // The extra FLOP/s of the N2 wafer is a wider datapath per core (the core count follows the area).
  EXPECT_DOUBLE_EQ(n2.fabric->fp16_macs_per_cycle, 8 * 1.84);
  EXPECT_DOUBLE_EQ(n2.fabric->cores_enabled, 900000);
}

TEST(Roadmap, Wse2DerivedFromWse3LandsNearItsPublishedFigures) {
  // A check on data the rules were not built from: WSE-2 (N7, 850k cores) against chips.toml's published figures.
  const Chip& derived = chip_of("cs-2-derived");
  const Chip& published = test::catalog().chip("wse-2");
  const double sram_error = derived.main_memory.capacity_bytes / published.main_memory.capacity_bytes - 1;
  const double flops_error = *derived.flops_per_s("fp16") / *published.flops_per_s("fp16") - 1;
  // 44 GB x 25/32 = 34.4 GB against 40 (-14%); 15.625 PF / 1.8 = 8.68 PF against 7.5 (+16%).
  EXPECT_NEAR(sram_error, -0.141, 0.005);
  EXPECT_NEAR(flops_error, 0.157, 0.005);
  EXPECT_NEAR(derived.fabric->fp16_macs_per_cycle, 4.0, 0.8);  // WSE-2's SIMD width for 16-bit ops is 4
}

TEST(Roadmap, StackedSramAndBondedDramAndPhotonicIo) {
  // LP40: one all-SRAM die of the LP30's area on top of its 32% SRAM share: 0.5 GB x (0.32 + 1) / 0.32.
  EXPECT_NEAR(test::catalog().chip("groq-lp40").main_memory.capacity_bytes, 0.5e9 * 1.32 / 0.32, 1e3);
  const Chip& dram = chip_of("cs-3-dram");
  ASSERT_TRUE(dram.bonded_memory);
  EXPECT_DOUBLE_EQ(dram.bonded_memory->capacity_bytes, 1500e9);
  EXPECT_DOUBLE_EQ(dram.main_memory.capacity_bytes, 44e9);
  EXPECT_DOUBLE_EQ(*chip_of("cs-3-photonic").scale_out_bytes_per_s, 14.25e12);
}

TEST(Roadmap, EveryDesignHasItsHardwareAndTcoInputs) {
  const Catalog& c = test::catalog();
  for (const auto& d : c.roadmap.designs) {
    const Hardware h = c.hardware(d.system);
    EXPECT_EQ(h.chip.name, d.chip) << d.name;
    bool tco = false;
    for (const auto& e : c.economics) tco |= e.system_name == d.system;
    EXPECT_TRUE(tco) << d.name << " has no TCO inputs";
    EXPECT_FALSE(d.source.empty()) << d.name;
  }
}

class RoadmapFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / "waferscope_roadmap_test.toml";
    std::ofstream(path) << text;
    return path.string();
  }
  std::string error_of(const std::string& text) {
    try {
      load_roadmap(write(text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  const std::string node_ = "[node.n5]\nsource = \"s\"\nsram_mb_per_mm2 = 32\nlogic_density_vs_n5 = 1\n";
  const std::string design_ =
      "[design.x]\ndisplay_name = \"X\"\nchip = \"x\"\nsystem = \"xs\"\nnode = \"n5\"\narea_mm2 = 100\n"
      "sram_area_fraction = 0.5\nclock_ghz = 1\nchip_power_kw = 1\nsystem_power_kw = 2\nio_gb_per_s = 1\nsource = \"s\"\n";
};

TEST_F(RoadmapFile, RejectsUnknownKeysNodesAndChainsNamingTheLine) {
  EXPECT_EQ(error_of(node_ + design_), "");
  std::string e = error_of(node_ + design_ + "sram_gb = 3\n");
  EXPECT_NE(e.find("waferscope_roadmap_test.toml:"), std::string::npos) << e;
  EXPECT_NE(e.find("sram_gb"), std::string::npos) << e;
  e = error_of(node_ + std::string(design_).replace(design_.find("\"n5\""), 4, "\"n9\""));
  EXPECT_NE(e.find("n9"), std::string::npos) << e;
  EXPECT_NE(e.find("[design.x]"), std::string::npos) << e;
  e = error_of(node_ + design_ + "scaled_from = \"nope\"\n");
  EXPECT_NE(e.find("nope"), std::string::npos) << e;
  e = error_of(node_ + std::string(design_).replace(design_.find("0.5"), 3, "1.0"));
  EXPECT_NE(e.find("sram_area_fraction"), std::string::npos) << e;
  e = error_of(node_ + std::string(design_).replace(design_.find("area_mm2 = 100"), 14, "area_mm2 = 1e9"));
  EXPECT_NE(e.find("at most 70000"), std::string::npos) << e;
  e = error_of(node_ + design_ + "bonded_dram_gb = 10\n");
  EXPECT_NE(e.find("bonded_dram_tb_per_s"), std::string::npos) << e;
  e = error_of(node_ + "[chip.y]\n");
  EXPECT_NE(e.find("[node.<name>] or [design.<name>]"), std::string::npos) << e;
}

}  // namespace
}  // namespace ws
