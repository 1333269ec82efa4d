#include "core/csv.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>

#include "core/error.h"

namespace ws {

const std::string& CsvRow::at(const std::string& column, const std::string& file) const {
  auto it = fields.find(column);
  if (it == fields.end()) throw InputError(fmt::format("{}:{}", file, line), "missing column '" + column + "'");
  return it->second;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { current += '"'; ++i; }
      else if (c == '"') quoted = false;
      else current += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(current);
      current.clear();
    } else if (c != '\r') {
      current += c;
    }
  }
  fields.push_back(current);
  return fields;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) throw InputError(path, "cannot be read");
  return read_csv(stream, path);
}

CsvTable read_csv(std::istream& stream, const std::string& path) {
  CsvTable table;
  table.file = path;
  std::string line;
  int number = 0;
  while (std::getline(stream, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto fields = split_csv_line(line);
    if (table.header.empty()) {
      table.header = fields;
      table.header_line = number;
      continue;
    }
    if (fields.size() != table.header.size())
      throw InputError(fmt::format("{}:{}", path, number),
                       fmt::format("expected {} fields, found {}", table.header.size(), fields.size()));
    CsvRow row;
    row.line = number;
    for (std::size_t i = 0; i < fields.size(); ++i) row.fields[table.header[i]] = fields[i];
    table.rows.push_back(std::move(row));
  }
  if (table.header.empty()) throw InputError(path, "no header line");
  return table;
}

double csv_number(const CsvRow& row, const std::string& column, const std::string& file) {
  std::string text = row.at(column, file);
  if (text.empty() || text == "-" || text == "N/A") return std::numeric_limits<double>::quiet_NaN();
  while (!text.empty() && text.back() == '+') text.pop_back();  // "96+" (a lower bound)
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw InputError(fmt::format("{}:{}", file, row.line), "column '" + column + "': expected a number, got '" + text + "'");
  return value;
}

}  // namespace ws
