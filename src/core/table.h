#pragma once
#include <string>
#include <variant>
#include <vector>

namespace ws {

// Output formats: aligned text for people, csv/json for tools (SI base units, snake_case keys), md for reports.
enum class Format { table, csv, json, md };
Format parse_format(const std::string& text);  // throws InputError naming --format

// One output column. `key` is the stable snake_case field name used by csv/json, with the value in SI base
// units. `header`, `display_scale` and `precision` only shape the human formats (table, md): the shown value
// is value / display_scale with `precision` decimals.
struct Column {
  std::string key;
  std::string header;
  double display_scale = 1.0;
  int precision = 2;
  bool integer = false;  // emit as an integer in csv/json (counts, bytes that are exact)
};

using Cell = std::variant<std::monostate, double, std::string>;  // monostate = not applicable / unknown

struct Table {
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> notes;  // printed under the table in human formats

  std::size_t column_index(const std::string& key) const;  // throws std::out_of_range
};

std::string render(const Table& table, Format format);
std::string render_cell_human(const Cell& cell, const Column& column);

}  // namespace ws
