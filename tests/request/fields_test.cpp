// The request layer's validator: one parser for the CLI's text and the API's JSON.
#include <gtest/gtest.h>

#include <set>

#include "request/command.h"
#include "request/limits.h"

namespace ws {
namespace {

const std::vector<Field>& table() {
  static const std::vector<Field> fields = {
      Field{"tp", FieldType::integer, "TP", std::nullopt, 1, 4096, "wider than any scale-up domain"},
      Field{"isl", FieldType::tokens, "input", std::string("1024"), 1, 1e7, "10M tokens", false},
      Field{"rate", FieldType::number, "rate", std::nullopt, 1e-6, 1e7, "world traffic", false},
      Field{.name = "model", .type = FieldType::text, .help = "model"},
      Field{.name = "hardware", .type = FieldType::list, .help = "hardware"},
      Field{.name = "explain", .type = FieldType::flag, .help = "explain", .fallback = std::string("false")},
  };
  return fields;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Fields, IntegersAreIntegers) {
  EXPECT_EQ(values_from_text(table(), {{"tp", {"8"}}}).integer("tp"), 8);
  EXPECT_EQ(error_of([] { values_from_text(table(), {{"tp", {"0.4"}}}); }),
            "--tp: expected a whole number in [1, 4096]; got '0.4' (a count cannot be fractional)");
  EXPECT_EQ(error_of([] { values_from_text(table(), {{"tp", {"0"}}}); }), "--tp: expected a whole number in [1, 4096]; got '0'");
  EXPECT_EQ(error_of([] { values_from_text(table(), {{"tp", {"1e12"}}}); }),
            "--tp: expected a whole number in [1, 4096]; got '1e12' (cap: wider than any scale-up domain)");
  EXPECT_EQ(error_of([] { values_from_text(table(), {{"tp", {"four"}}}); }), "--tp: expected a whole number; got 'four'");
  EXPECT_EQ(error_of([] { values_from_json(table(), nlohmann::json{{"tp", 0.5}}); }),
            "tp: expected a whole number in [1, 4096]; got 0.5 (a count cannot be fractional)");
  EXPECT_EQ(values_from_json(table(), nlohmann::json{{"tp", 4.0}}).integer("tp"), 4);  // 4.0 is the integer 4
}

TEST(Fields, NumbersAreFiniteAndInRange) {
  for (const char* bad : {"nan", "inf", "-inf", "1e308", "", " 1", "1x", "0"})
    EXPECT_NE(error_of([bad] { values_from_text(table(), {{"rate", {bad}}}); }).find("--rate: expected a number"), std::string::npos)
        << bad;
  EXPECT_DOUBLE_EQ(values_from_text(table(), {{"rate", {"2.5"}}}).number("rate"), 2.5);
}

TEST(Fields, TokensTakeSuffixes) {
  EXPECT_DOUBLE_EQ(values_from_text(table(), {{"isl", {"128k"}}}).number("isl"), 128000);
  EXPECT_DOUBLE_EQ(values_from_text(table(), {{"isl", {"1m"}}}).number("isl"), 1e6);
  EXPECT_DOUBLE_EQ(values_from_json(table(), nlohmann::json{{"isl", "2k"}}).number("isl"), 2000);
  EXPECT_DOUBLE_EQ(values_from_text(table(), {}).number("isl"), 1024);  // the default, parsed from its text
  EXPECT_NE(error_of([] { values_from_text(table(), {{"isl", {"11m"}}}); }).find("(cap: 10M tokens)"), std::string::npos);
}

TEST(Fields, JsonTypesAreChecked) {
  try {
    values_from_json(table(), nlohmann::json{{"tp", "8"}});
    FAIL();
  } catch (const RequestFormatError& e) {  // a type error is the API's 400, not 422
    EXPECT_EQ(e.where(), "tp");
    EXPECT_EQ(e.message(), "expected a whole number; got string");
  }
  EXPECT_THROW(values_from_json(table(), nlohmann::json{{"explain", 1}}), RequestFormatError);
  EXPECT_THROW(values_from_json(table(), nlohmann::json{{"model", 7}}), RequestFormatError);
  EXPECT_THROW(values_from_json(table(), nlohmann::json::array()), RequestFormatError);
}

TEST(Fields, UnknownFieldsAreRefused) {
  try {
    values_from_json(table(), nlohmann::json{{"tpp", 2}});
    FAIL();
  } catch (const RequestFormatError& e) {
    EXPECT_EQ(e.where(), "tpp");
    EXPECT_EQ(e.message(), "unknown field");
  }
  EXPECT_THROW(values_from_text(table(), {{"tpp", {"2"}}}), RequestFormatError);
}

TEST(Fields, ListsSplitAndCap) {
  EXPECT_EQ(values_from_text(table(), {{"hardware", {"cs-3,h100", "b200"}}}).list("hardware"),
            (std::vector<std::string>{"cs-3", "h100", "b200"}));
  EXPECT_EQ(values_from_json(table(), nlohmann::json{{"hardware", {"cs-3", "h100"}}}).list("hardware").size(), 2u);
  EXPECT_THROW(values_from_text(table(), {{"hardware", {"cs-3,,h100"}}}), InputError);
  EXPECT_THROW(values_from_json(table(), nlohmann::json{{"hardware", nlohmann::json::array()}}), InputError);
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + std::string("h100");
  EXPECT_NE(error_of([&] { values_from_text(table(), {{"hardware", {many}}}); }).find("expected at most 64 names"), std::string::npos);
}

TEST(Fields, TextIsCapped) {
  const std::string long_name(10000, 'x');
  EXPECT_NE(error_of([&] { values_from_text(table(), {{"model", {long_name}}}); }).find("at most 4096 characters"), std::string::npos);
}

TEST(Fields, RepeatedScalarIsRefused) {
  EXPECT_NE(error_of([] { values_from_text(table(), {{"tp", {"2", "4"}}}); }).find("given 2 times"), std::string::npos);
}

TEST(Fields, LibraryErrorsAreRespelledForTheCaller) {
  const InputError library("weight_dtype", "unknown precision 'fp7'");
  try {
    rethrow_respelled(library, {Field{.name = "weight_dtype"}}, Caller::cli);
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "--weight-dtype");
  }
  try {
    rethrow_respelled(RequestFormatError("model", "missing"), {Field{.name = "model"}}, Caller::api);
  } catch (const RequestFormatError& e) {  // the type survives the respelling
    EXPECT_EQ(e.where(), "model");
  }
  try {
    rethrow_respelled(InputError("catalog/chips.toml:3", "bad"), {Field{.name = "model"}}, Caller::cli);
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "catalog/chips.toml:3");  // not a field: left alone
  }
}

// Python sends JSON spelled as the API spells it, but runs locally: the CLI's file fields apply to it as well as the
// API's config object; the API takes no file field and the CLI no object.
TEST(Fields, PythonTakesTheFieldsOfBothSurfaces) {
  const std::vector<Field> fields = {Field{.name = "out", .type = FieldType::text, .help = "folder", .surface = Surface::cli},
                                     Field{.name = "config", .type = FieldType::object, .help = "config.json",
                                           .surface = Surface::api}};
  const auto body = nlohmann::json::parse(R"({"out": "sim", "config": {"hidden_size": 8}})");
  const RequestValues values = values_from_json(fields, body, Caller::python);
  EXPECT_EQ(values.text("out"), "sim");
  EXPECT_EQ((*values.object("config"))["hidden_size"], 8);
  EXPECT_EQ(values.caller(), Caller::python);
  EXPECT_EQ(error_of([&] { values_from_json(fields, body, Caller::api); }), "out: unknown field");
  EXPECT_EQ(error_of([&] { values_from_json(fields, nlohmann::json::parse(R"({"conifg": {}})"), Caller::python); }),
            "conifg: unknown field");
  EXPECT_EQ(error_of([] { values_from_json(table(), nlohmann::json::parse(R"({"tp": 0})"), Caller::python); }),
            "tp: expected a whole number in [1, 4096]; got 0");
  EXPECT_EQ(spell("kv_dtype", Caller::python), "kv_dtype");
}

// Every registered command: a unique name, help on every field, and every numeric field bounded with a reason.
TEST(Registry, EveryFieldIsDescribedAndBounded) {
  std::set<std::string> names;
  for (const auto& command : commands()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name;
    EXPECT_FALSE(command.help.empty()) << command.name;
    EXPECT_EQ(find_command(command.name), &command);
    std::set<std::string> fields;
    for (const auto& field : command.fields) {
      EXPECT_TRUE(fields.insert(field.name).second) << command.name << " " << field.name;
      EXPECT_FALSE(field.help.empty()) << command.name << " " << field.name;
      const bool numeric = field.type == FieldType::integer || field.type == FieldType::number || field.type == FieldType::tokens;
      if (numeric) {
        EXPECT_LT(field.min, field.max) << command.name << " " << field.name;
        EXPECT_FALSE(field.cap_reason.empty()) << command.name << " " << field.name << " has a cap without a reason";
        EXPECT_LE(field.max, 1e16) << command.name << " " << field.name;
      }
    }
  }
  EXPECT_EQ(find_command("no-such-command"), nullptr);
}

}  // namespace
}  // namespace ws
