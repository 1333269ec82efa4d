#include "core/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace ws {
namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << content;
  return path.string();
}

TEST(Csv, SkipsCommentsAndReadsQuotedFields) {
  const auto path = write_temp("ws_csv_ok.csv", "# comment\nname,value\n\"a, b\",1.5\nc,-\n");
  const CsvTable table = read_csv(path);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].at("name", path), "a, b");
  EXPECT_DOUBLE_EQ(csv_number(table.rows[0], "value", path), 1.5);
  EXPECT_TRUE(std::isnan(csv_number(table.rows[1], "value", path)));
}

TEST(Csv, RaggedRowNamesFileAndLine) {
  const auto path = write_temp("ws_csv_bad.csv", "name,value\na,1\nb\n");
  try {
    read_csv(path);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("ws_csv_bad.csv:3"), std::string::npos);
  }
}

TEST(Csv, NonNumberNamesColumn) {
  const auto path = write_temp("ws_csv_nan.csv", "name,value\na,twelve\n");
  const CsvTable table = read_csv(path);
  EXPECT_THROW(csv_number(table.rows[0], "value", path), InputError);
}

}  // namespace
}  // namespace ws
