#include "core/error.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(ClosestNames, RanksNearMissesFirst) {
  const std::vector<std::string> known = {"llama-3.1-8b", "llama-3.1-70b", "gpt-oss-120b", "deepseek-v3"};
  EXPECT_EQ(closest_names("lama-3.1-8b", known, 1).front(), "llama-3.1-8b");
  EXPECT_EQ(closest_names("GPT-OSS-120B", known, 1).front(), "gpt-oss-120b");
  EXPECT_EQ(closest_names("deepseek", known, 1).front(), "deepseek-v3");  // substring
  EXPECT_EQ(closest_names("x", known, 2).size(), 2u);
}

TEST(UnknownNameMessage, NamesTheInputAndSuggestions) {
  const std::string message = unknown_name_message("model", "lama-3", {"llama-3.1-8b", "gpt-oss-120b"}, "waferscope models");
  EXPECT_NE(message.find("unknown model 'lama-3'"), std::string::npos);
  EXPECT_NE(message.find("llama-3.1-8b"), std::string::npos);
  EXPECT_NE(message.find("waferscope models"), std::string::npos);
}

TEST(InputError, CarriesWhereAndWhat) {
  const InputError error("file.toml:3 [x].y", "expected a number");
  EXPECT_STREQ(error.what(), "file.toml:3 [x].y: expected a number");
  EXPECT_EQ(error.where(), "file.toml:3 [x].y");
}

}  // namespace
}  // namespace ws
