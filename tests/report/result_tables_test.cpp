// The tables and prose built from lower stages' results (report/result_tables.cpp).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "report/plots.h"

#include "report/tables.h"
#include "test_support.h"

namespace ws {
namespace {

TEST(ResultTables, DisaggregationTableAndTheFiveXNote) {
  const auto& c = test::catalog();
  static const PerfEngine engine(c);
  const ModelSpec m = c.model("gpt-oss-120b");
  const Hardware prefill = c.hardware("dgx-b300"), decode = c.hardware("cs-3");
  DisaggRequest d;
  d.workload = c.workload("8k-1k");
  d.prefill.weights = d.decode.weights = checkpoint_weight_format(m, c.precisions);
  d.prefill.kv = d.decode.kv = c.precisions.get("bf16", "test");
  d.decode.concurrency = 64;
  const auto rows = price_disaggregation(compare_disaggregation(engine, m, prefill, decode, d),
                                         system_price(c, prefill, "tco"), system_price(c, decode, "tco"));
  const Table t = disaggregation_table(rows);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.columns.size(), t.rows[0].size());
  const std::string note = five_x_note(rows);
  EXPECT_NE(note.find("Disaggregation gives"), std::string::npos) << note;
  EXPECT_NE(note.find("co-located serving on cs-3"), std::string::npos) << note;
  EXPECT_EQ(five_x_note({}), "");
}

// Moved from tests/frontier with plot_frontier.
TEST(ReportPlots, FrontierPlotWritesAPng) {
  static const PerfEngine engine(test::catalog());
  FrontierRequest request;
  request.normalize = Normalizer::usd_hour;
  const auto points = sweep_all(engine, {test::catalog().model("gpt-oss-120b")},
                                {test::catalog().hardware("cs-3"), test::catalog().hardware("dgx-h100")}, request);
  const auto file = std::filesystem::temp_directory_path() / "ws_frontier_test.png";
  std::filesystem::remove(file);
  plot_frontier(points, request.normalize, "test", file.string());
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_GT(std::filesystem::file_size(file), 10000u);
  EXPECT_THROW(plot_frontier(points, request.normalize, "test", "/tmp/x.jpg"), InputError);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace ws
