// End-to-end `waferscope report`: the business side lands in business.md with the source's golden figures (the
// deal's margins, the 750 MW fleet, both BoM totals), every roadmap preset, the charts, and a link from index.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "cli/run_binary.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliReport, WritesTheBusinessSide) {
  // Its own folder per process: other checkouts on the machine run this test too.
  const fs::path out = fs::temp_directory_path() / ("waferscope_report_cli_test_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const ws::test::Result r = ws::test::run("report --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string md = read(out / "business.md");
  // The deal's year-1 EBIT margins (published 33.8 / 51.1 / 55.4) as computed, beside the published ones.
  for (const char* figure : {"33.69", "51.04", "55.37", "33.8", "51.1", "55.4"})
    EXPECT_NE(md.find(figure), std::string::npos) << figure;
  EXPECT_NE(md.find("341962"), std::string::npos);  // BoM before the DRAM price rise (published 341,962 USD)
  EXPECT_NE(md.find("464484"), std::string::npos);  // after it (published 464,484 USD)
  EXPECT_NE(md.find("25000"), std::string::npos);   // 750 MW / 30 kW per CS-3
  for (const char* preset : {"cs-4", "wse3-dram-wafer", "wse3-photonic-io", "wse-n2", "lp40"})
    EXPECT_NE(md.find(preset), std::string::npos) << preset;
  for (const char* chart : {"deal_irr_sensitivity.png", "fleet_schedule.png", "bom_dram_price.png", "roofline_chips.png",
                            "roofline_per_musd.png", "agentic_input_lengths.png"})
    EXPECT_GT(fs::file_size(out / chart), 1000u) << chart;
  EXPECT_NE(read(out / "index.md").find("business.md"), std::string::npos);
  fs::remove_all(out);
}

}  // namespace
