#include "catalog/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace ws {

TomlReader::TomlReader(const toml::table& table, std::string file, std::string table_name)
    : table_(&table), file_(std::move(file)), table_name_(std::move(table_name)) {}

std::string TomlReader::where() const {
  const auto line = table_->source().begin.line;
  return line ? fmt::format("{}:{} [{}]", file_, line, table_name_) : fmt::format("{} [{}]", file_, table_name_);
}

std::string TomlReader::where(const std::string& key) const {
  const toml::node* found = node(key);
  const auto line = found ? found->source().begin.line : table_->source().begin.line;
  return fmt::format("{}:{} [{}].{}", file_, line, table_name_, key);
}

const toml::node* TomlReader::node(const std::string& key) const { return table_->get(key); }

bool TomlReader::has(const std::string& key) const { return node(key) != nullptr; }

std::vector<std::string> TomlReader::keys() const {
  std::vector<std::string> result;
  for (const auto& [key, value] : *table_) result.emplace_back(key.str());
  return result;
}

std::string TomlReader::string(const std::string& key) {
  auto value = optional_string(key);
  if (!value) throw InputError(where(key), "missing required key '" + key + "' (a string)");
  return *value;
}

std::optional<std::string> TomlReader::optional_string(const std::string& key) {
  const toml::node* found = node(key);
  if (!found) return std::nullopt;
  consumed_.insert(key);
  if (!found->is_string()) throw InputError(where(key), "expected a string");
  return std::string(*found->as_string());
}

double TomlReader::number(const std::string& key) {
  const toml::node* found = node(key);
  consumed_.insert(key);
  if (found->is_integer()) return static_cast<double>(found->as_integer()->get());
  if (found->is_floating_point()) {
    const double value = found->as_floating_point()->get();
    if (!std::isfinite(value)) throw InputError(where(key), "expected a finite number");
    return value;
  }
  throw InputError(where(key), "expected a number");
}

double TomlReader::positive(const std::string& key) {
  auto value = optional_positive(key);
  if (!value) throw InputError(where(key), "missing required key '" + key + "' (a positive number)");
  return *value;
}

std::optional<double> TomlReader::optional_positive(const std::string& key) {
  if (!has(key)) return std::nullopt;
  const double value = number(key);
  if (!(value > 0)) throw InputError(where(key), fmt::format("expected a positive number, got {}", value));
  return value;
}

double TomlReader::non_negative(const std::string& key) {
  auto value = optional_non_negative(key);
  if (!value) throw InputError(where(key), "missing required key '" + key + "' (a number >= 0)");
  return *value;
}

std::optional<double> TomlReader::optional_non_negative(const std::string& key) {
  if (!has(key)) return std::nullopt;
  const double value = number(key);
  if (value < 0) throw InputError(where(key), fmt::format("expected a number >= 0, got {}", value));
  return value;
}

double TomlReader::fraction(const std::string& key) {
  if (!has(key)) throw InputError(where(key), "missing required key '" + key + "' (a fraction in [0, 1])");
  const double value = number(key);
  if (value < 0 || value > 1) throw InputError(where(key), fmt::format("expected a fraction in [0, 1], got {}", value));
  return value;
}

double TomlReader::in_range(const std::string& key, double low, double high) {
  auto value = optional_in_range(key, low, high);
  if (!value) throw InputError(where(key), fmt::format("missing required key '{}' (a number in [{}, {}])", key, low, high));
  return *value;
}

std::optional<double> TomlReader::optional_in_range(const std::string& key, double low, double high) {
  if (!has(key)) return std::nullopt;
  const double value = number(key);
  if (value < low || value > high)
    throw InputError(where(key), fmt::format("expected a number in [{}, {}], got {}", low, high, value));
  return value;
}

std::vector<std::pair<std::string, TomlReader>> TomlReader::subtables_in_order() {
  std::vector<std::pair<std::string, TomlReader>> result;
  for (const auto& [key, value] : *table_)
    if (const toml::table* sub = value.as_table()) {
      consumed_.insert(std::string(key.str()));
      result.emplace_back(std::string(key.str()), TomlReader(*sub, file_, table_name_ + "." + std::string(key.str())));
    }
  std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second.table_->source().begin.line < b.second.table_->source().begin.line;
  });
  return result;
}

std::optional<long long> TomlReader::optional_positive_integer(const std::string& key) {
  const toml::node* found = node(key);
  if (!found) return std::nullopt;
  consumed_.insert(key);
  if (!found->is_integer()) throw InputError(where(key), "expected an integer");
  const long long value = found->as_integer()->get();
  if (value <= 0) throw InputError(where(key), fmt::format("expected a positive integer, got {}", value));
  return value;
}

long long TomlReader::positive_integer(const std::string& key) {
  auto value = optional_positive_integer(key);
  if (!value) throw InputError(where(key), "missing required key '" + key + "' (a positive integer)");
  return *value;
}

std::optional<std::vector<std::pair<double, double>>> TomlReader::optional_pairs(const std::string& key) {
  const toml::node* found = node(key);
  if (!found) return std::nullopt;
  consumed_.insert(key);
  const toml::array* outer = found->as_array();
  if (!outer) throw InputError(where(key), "expected a list of [a, b] pairs");
  std::vector<std::pair<double, double>> pairs;
  for (const auto& item : *outer) {
    const toml::array* pair = item.as_array();
    if (!pair || pair->size() != 2) throw InputError(where(key), "expected a list of [a, b] pairs");
    double values[2];
    for (int i = 0; i < 2; ++i) {
      const toml::node& v = *pair->get(i);
      if (v.is_integer()) values[i] = static_cast<double>(v.as_integer()->get());
      else if (v.is_floating_point()) values[i] = v.as_floating_point()->get();
      else throw InputError(where(key), "expected numbers in each [a, b] pair");
    }
    pairs.emplace_back(values[0], values[1]);
  }
  return pairs;
}

std::optional<TomlReader> TomlReader::optional_subtable(const std::string& key) {
  const toml::node* found = node(key);
  if (!found) return std::nullopt;
  consumed_.insert(key);
  if (!found->is_table()) throw InputError(where(key), "expected a table");
  return TomlReader(*found->as_table(), file_, table_name_ + "." + key);
}

TomlReader TomlReader::subtable(const std::string& key) {
  auto value = optional_subtable(key);
  if (!value) throw InputError(where(key), "missing required table '" + key + "'");
  return *value;
}

void TomlReader::reject_unknown_keys(const std::vector<std::string>& accepted_hint) const {
  for (const auto& [key, value] : *table_) {
    const std::string name(key.str());
    if (consumed_.count(name)) continue;
    std::string message = "unknown key '" + name + "'";
    if (!accepted_hint.empty()) {
      const auto closest = closest_names(name, accepted_hint, 1);
      if (!closest.empty()) message += " (did you mean '" + closest.front() + "'?)";
    }
    throw InputError(where(name), message);
  }
}

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    throw InputError(fmt::format("{}:{}:{}", path, begin.line, begin.column), std::string(error.description()));
  }
}

std::vector<std::pair<std::string, const toml::table*>> top_level_tables(const toml::table& document,
                                                                         const std::string& file) {
  std::vector<std::pair<std::string, const toml::table*>> tables;
  for (const auto& [key, node] : document) {
    const std::string name(key.str());
    if (!node.is_table())
      throw InputError(fmt::format("{}:{}", file, node.source().begin.line),
                       "top-level key '" + name + "' must be a table ([" + name + "])");
    tables.emplace_back(name, node.as_table());
  }
  std::stable_sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  return tables;
}

void check_catalog_name(const std::string& name, const TomlReader& reader) {
  if (name.empty() || name != to_lower(name) || name.find(' ') != std::string::npos)
    throw InputError(reader.where(), "catalog names must be lowercase without spaces, got '" + name + "'");
}

std::map<std::string, std::string> read_figure_sources(TomlReader& reader) {
  std::map<std::string, std::string> sources;
  auto table = reader.optional_subtable("figure_sources");
  if (!table) return sources;
  for (const auto& key : table->keys()) {
    if (!reader.has(key)) throw InputError(table->where(key), "cites '" + key + "', which this entry does not set");
    sources[key] = table->string(key);
  }
  return sources;
}

}  // namespace ws
