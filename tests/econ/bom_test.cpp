#include "econ/bom.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/csv.h"
#include "core/error.h"
#include "test_support.h"

namespace ws {
namespace {

const SystemBom& cs3() { return test::catalog().boms.at(0); }

// Golden: the published totals (catalog/published/bom.csv: 341,962 USD before the 2025 memory-price rise, 464,484
// after), within 0.5%, from the catalog's lines and each scenario's DRAM price.
TEST(Bom, TotalsTheTwoPublishedFigures) {
  const std::string file = test::catalog_path("published/bom.csv");
  std::map<std::string, double> published;
  for (const auto& row : read_csv(file).rows) published[row.at("scenario", file)] = csv_number(row, "total_usd", file);
  ASSERT_EQ(cs3().system, "cs-3");
  const double pre = build_bom(cs3(), cs3().scenario("pre-hike", "t").dram_usd_per_gb).total_usd;
  const double post = build_bom(cs3(), cs3().scenario("post-hike", "t").dram_usd_per_gb).total_usd;
  EXPECT_NEAR(pre / published.at("pre-memory-price-hike"), 1, 0.005);
  EXPECT_NEAR(post / published.at("post-memory-price-hike"), 1, 0.005);
}

// The DRAM price is the only input the scenarios differ in; the DRAM line is GB x price and sits in the KVSS node.
TEST(Bom, OnlyTheDramLineDiffers) {
  const Bom a = build_bom(cs3(), 5), b = build_bom(cs3(), 25);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    if (a.lines[i].id == "dram") {
      EXPECT_DOUBLE_EQ(b.lines[i].extended_cost_usd - a.lines[i].extended_cost_usd, 20 * cs3().dram_gb);
      EXPECT_EQ(a.lines[i - 1].id, "kvss-server");
    } else {
      EXPECT_DOUBLE_EQ(a.lines[i].extended_cost_usd, b.lines[i].extended_cost_usd) << a.lines[i].id;
    }
  }
  EXPECT_DOUBLE_EQ(b.total_usd - a.total_usd, 20 * cs3().dram_gb);
  EXPECT_NEAR(dram_usd_per_gb_for_total(cs3(), a.total_usd), 5, 1e-9);
  double sum = 0;
  for (const auto& line : a.lines) sum += line.extended_cost_usd;
  EXPECT_DOUBLE_EQ(sum, a.total_usd);
}

// Every line carries its source or a stated assumption, and the named items are all there.
TEST(Bom, EveryLineSaysWhereItComesFrom) {
  for (const auto& item : cs3().items)
    EXPECT_TRUE(item.basis.rfind("published", 0) == 0 || item.basis.rfind("assumption", 0) == 0) << item.id;
  for (const char* id : {"wafer", "masks", "vicor", "engine-block", "cooling-distribution", "fpga-io", "head-node",
                         "kvss-server", "psu", "mechanics", "assembly-test"})
    EXPECT_TRUE(std::any_of(cs3().items.begin(), cs3().items.end(), [&](const BomItem& i) { return i.id == id; })) << id;
  EXPECT_EQ(cs3().dram_gb, 6144);  // 6 TB as 24 x 256 GB RDIMMs
}

std::string write(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("waferscope_bom_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Bom, LoaderRejectsBadFilesNamingFileAndLine) {
  const std::string head = "[cs-3]\nsource = \"s\"\ndram_gb = 6144\ndram_item = \"d\"\ndram_source = \"s\"\n"
                           "[cs-3.scenarios.pre-hike]\ndram_usd_per_gb = 8\npublished_total_usd = 1\nsource = \"s\"\n";
  const struct { const char* name; std::string text; const char* says; } cases[] = {
      {"unknown_key.toml", head + "[cs-3.items.a]\nitem = \"a\"\nquantity = 1\nunit_cost_usd = 1\nsource = \"s\"\ncolour = 1\n",
       "colour"},
      {"both.toml", head + "[cs-3.items.a]\nitem = \"a\"\nquantity = 1\nunit_cost_usd = 1\nsource = \"s\"\nassumption = \"a\"\n",
       "exactly one of"},
      {"fraction.toml", head + "[cs-3.items.a]\nitem = \"a\"\nquantity = 1.5\nunit_cost_usd = 1\nsource = \"s\"\n", "integer"},
      {"system.toml", "[cs-9]\nsource = \"s\"\n", "cs-9"},
  };
  for (const auto& c : cases) {
    const std::string path = write(c.name, c.text);
    try {
      load_catalog_file("bom.toml", path, test::catalog());
      ADD_FAILURE() << c.name << " was accepted";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path + ":"), std::string::npos) << message;
      EXPECT_NE(message.find(c.says), std::string::npos) << message;
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace ws
