#pragma once
// The field table of a command and the one validator both callers share. A field has one canonical name (the
// API's JSON key, snake_case); the CLI spells it "--" + the name with dashes. Values arrive as text (CLI) or
// JSON (API, Python) and leave typed: integers as integers, numbers finite and inside their range, names capped.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"

namespace ws {

enum class FieldType {
  integer,  // a whole number: counts (TP, devices, replicas, requests, ...); "4.5" and 4.5 are refused
  number,   // a finite real number
  tokens,   // a token count: 128000, "128k" or "1m" (decimal, as the field writes them)
  text,     // a name, path or small expression
  flag,     // true/false (a CLI switch)
  list,     // names: repeatable and comma-separated on the CLI, a string or an array in JSON
  object,   // a JSON object (a pasted config.json); API and Python only
};

enum class Surface { both, cli, api };
// python: values arrive as JSON and fields are spelled as in the API, but the caller runs on the user's own machine
// like the CLI: every field applies (files such as out and plot too), local paths are read and the CLI's caps hold.
enum class Caller { cli, api, python };

struct Field {
  std::string name;  // canonical: the API field, and the CLI flag once dashed
  FieldType type = FieldType::text;
  std::string help;
  std::optional<std::string> fallback;  // the default, written as a user would; none = optional
  double min = 0, max = 0;              // inclusive accepted range (integer, number, tokens; list = items)
  std::string cap_reason;               // why max is where it is (in the error when exceeded)
  bool required = false;
  Surface surface = Surface::both;
  char separator = ',';  // list items on the CLI and in a JSON string ("M,N,K" shapes use ';')
};

// How a caller spells a field: "--kv-dtype" on the command line, "kv_dtype" in JSON and Python.
std::string spell(const std::string& field, Caller caller);

using FieldValue = std::variant<std::monostate, long long, double, std::string, bool, std::vector<std::string>,
                                nlohmann::json>;

// The validated values of one request, keyed by canonical field name. Absent optional fields are monostate.
// The CLI's input: each given flag's texts (a repeated flag gives several), and the switches set.
using TextInputs = std::map<std::string, std::vector<std::string>>;

class RequestValues {
 public:
  bool has(const std::string& name) const;
  long long integer(const std::string& name) const;
  std::optional<long long> optional_integer(const std::string& name) const;
  std::optional<int> optional_int(const std::string& name) const;
  double number(const std::string& name) const;  // number and tokens
  std::optional<double> optional_number(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  bool flag(const std::string& name) const;
  std::vector<std::string> list(const std::string& name) const;  // empty when absent
  const nlohmann::json* object(const std::string& name) const;   // nullptr when absent
  void set(const std::string& name, FieldValue value) { values_[name] = std::move(value); }
  Caller caller() const { return caller_; }
  // The texts the values were read from (values_from_text; empty from JSON): a batch (simulate --batch) applies
  // the flags given beside it to each scenario.
  const TextInputs& given_texts() const { return given_texts_; }
  void set_given_texts(TextInputs texts) { given_texts_ = std::move(texts); }
  void set_caller(Caller caller) { caller_ = caller; }

 private:
  const FieldValue& at(const std::string& name) const;
  std::map<std::string, FieldValue> values_;
  Caller caller_ = Caller::cli;
  TextInputs given_texts_;
};

// Validate against the table: unknown fields, missing required ones, wrong types, fractions where an integer is
// expected, non-finite numbers and values outside [min, max] all throw InputError naming the field as `caller`
// spells it, with the value received and what is accepted. Defaults are parsed from their text.
RequestValues values_from_text(const std::vector<Field>& fields, const TextInputs& given, Caller caller = Caller::cli);
RequestValues values_from_json(const std::vector<Field>& fields, const nlohmann::json& body, Caller caller = Caller::api);

// "tp" -> "--tp" when the field belongs to the table and the caller is the CLI; other wheres (file:line, ...) stay.
// Throws the error again, of the same type, with its field respelled.
[[noreturn]] void rethrow_respelled(const InputError& error, const std::vector<Field>& fields, Caller caller);

}  // namespace ws
