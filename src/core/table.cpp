#include "core/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/error.h"

namespace ws {

Format parse_format(const std::string& text) {
  const std::string lowered = to_lower(text);
  if (lowered == "table") return Format::table;
  if (lowered == "csv") return Format::csv;
  if (lowered == "json") return Format::json;
  if (lowered == "md" || lowered == "markdown") return Format::md;
  throw InputError("format", "expected one of table, csv, json, md; got '" + text + "'");
}

std::size_t Table::column_index(const std::string& key) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].key == key) return i;
  throw std::out_of_range("no column '" + key + "' in table '" + title + "'");
}

namespace {

std::string machine_number(double value, bool integer) {
  if (!std::isfinite(value)) return "";
  if (integer && std::fabs(value) < 9e15) return fmt::format("{}", static_cast<long long>(std::llround(value)));
  return fmt::format("{}", value);  // shortest round-trip representation
}

std::string csv_escape(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string render_csv(const Table& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += (i ? "," : "") + table.columns[i].key;
  out += "\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (i) out += ",";
      const Cell& cell = row[i];
      if (const auto* number = std::get_if<double>(&cell)) out += machine_number(*number, table.columns[i].integer);
      else if (const auto* text = std::get_if<std::string>(&cell)) out += csv_escape(*text);
    }
    out += "\n";
  }
  return out;
}

std::string render_json(const Table& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const Cell& cell = row[i];
      const auto& column = table.columns[i];
      if (const auto* number = std::get_if<double>(&cell)) {
        if (!std::isfinite(*number)) object[column.key] = nullptr;
        else if (column.integer && std::fabs(*number) < 9e15) object[column.key] = std::llround(*number);
        else object[column.key] = *number;
      } else if (const auto* text = std::get_if<std::string>(&cell)) {
        object[column.key] = *text;
      } else {
        object[column.key] = nullptr;
      }
    }
    rows.push_back(std::move(object));
  }
  return rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";  // user text may hold any bytes
}

bool is_numeric_column(const Table& table, std::size_t column) {
  for (const auto& row : table.rows)
    if (std::holds_alternative<std::string>(row[column])) return false;
  return true;
}

Table transposed(const Table& table) {
  Table vertical;
  vertical.title = table.title;
  vertical.notes = table.notes;
  vertical.columns = {Column{"field", "field"}, Column{"value", "value"}};
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    vertical.rows.push_back({table.columns[i].header, render_cell_human(table.rows[0][i], table.columns[i])});
  return vertical;
}

std::string render_human(const Table& table, bool markdown) {
  // One wide row reads better as field/value lines.
  if (table.rows.size() == 1 && table.columns.size() > 8) return render_human(transposed(table), markdown);
  const std::size_t n = table.columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width(n, 0);
  for (std::size_t i = 0; i < n; ++i) width[i] = table.columns[i].header.size();
  for (const auto& row : table.rows) {
    std::vector<std::string> rendered;
    for (std::size_t i = 0; i < n; ++i) {
      rendered.push_back(render_cell_human(row[i], table.columns[i]));
      width[i] = std::max(width[i], rendered.back().size());
    }
    cells.push_back(std::move(rendered));
  }
  std::vector<bool> right(n);
  for (std::size_t i = 0; i < n; ++i) right[i] = is_numeric_column(table, i);

  auto line = [&](const std::vector<std::string>& values) {
    std::string text = markdown ? "|" : "";
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& v = values[i];
      const std::string padded = right[i] ? fmt::format("{:>{}}", v, width[i]) : fmt::format("{:<{}}", v, width[i]);
      text += markdown ? " " + padded + " |" : (i ? "  " : "") + padded;
    }
    if (!markdown) text.erase(text.find_last_not_of(' ') + 1);
    return text + "\n";
  };

  std::string out;
  if (!table.title.empty()) out += markdown ? "### " + table.title + "\n\n" : table.title + "\n";
  std::vector<std::string> headers;
  for (const auto& column : table.columns) headers.push_back(column.header);
  out += line(headers);
  std::string rule = markdown ? "|" : "";
  for (std::size_t i = 0; i < n; ++i) {
    if (markdown) rule += (right[i] ? " " + std::string(width[i] - 1, '-') + ": |" : " " + std::string(width[i], '-') + " |");
    else rule += (i ? "  " : "") + std::string(width[i], '-');
  }
  out += rule + "\n";
  for (const auto& row : cells) out += line(row);
  if (!table.notes.empty()) {
    out += "\n";
    for (const auto& note : table.notes) out += (markdown ? "- " : "  ") + note + "\n";
  }
  return out;
}

}  // namespace

std::string render_cell_human(const Cell& cell, const Column& column) {
  if (const auto* number = std::get_if<double>(&cell)) {
    if (!std::isfinite(*number)) return "-";
    const double shown = *number / column.display_scale;
    return fmt::format("{:.{}f}", shown, column.integer && column.display_scale == 1.0 ? 0 : column.precision);
  }
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  return "-";
}

std::string render(const Table& table, Format format) {
  switch (format) {
    case Format::csv: return render_csv(table);
    case Format::json: return render_json(table);
    case Format::md: return render_human(table, true);
    case Format::table: return render_human(table, false);
  }
  return {};
}

}  // namespace ws
