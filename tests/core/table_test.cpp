#include "core/table.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ws {
namespace {

Table sample() {
  Table t;
  t.title = "sample";
  t.columns = {Column{"name", "name"}, Column{"bytes", "GB", 1e9, 1}, Column{"count", "count", 1, 0, true}};
  t.rows = {{std::string("a,b"), 16.06e9, 3.0}, {std::string("c"), Cell{}, 4.0}};
  return t;
}

TEST(Table, CsvUsesSiValuesAndQuotes) {
  EXPECT_EQ(render(sample(), Format::csv), "name,bytes,count\n\"a,b\",16060000000,3\nc,,4\n");
}

TEST(Table, JsonUsesKeysNullsAndIntegers) {
  const auto parsed = nlohmann::json::parse(render(sample(), Format::json));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_DOUBLE_EQ(parsed[0]["bytes"].get<double>(), 16.06e9);
  EXPECT_TRUE(parsed[0]["count"].is_number_integer());
  EXPECT_TRUE(parsed[1]["bytes"].is_null());
}

TEST(Table, HumanFormatsScaleToDisplayUnits) {
  const std::string text = render(sample(), Format::table);
  EXPECT_NE(text.find("16.1"), std::string::npos);
  EXPECT_NE(text.find("GB"), std::string::npos);
  const std::string md = render(sample(), Format::md);
  EXPECT_NE(md.find("| name"), std::string::npos);
}

TEST(Table, ParseFormatRejectsUnknown) {
  EXPECT_EQ(parse_format("JSON"), Format::json);
  EXPECT_EQ(parse_format("markdown"), Format::md);
  EXPECT_THROW(parse_format("xml"), InputError);
}

}  // namespace
}  // namespace ws
