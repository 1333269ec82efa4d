#pragma once
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace ws {

// A small CSV reader for the catalog's published tables: '#' lines are comments, the first other line is the
// header, fields may be double-quoted. Each row remembers its line for error messages.
struct CsvRow {
  int line = 0;
  std::map<std::string, std::string> fields;
  const std::string& at(const std::string& column, const std::string& file) const;  // throws InputError
};

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  int header_line = 0;
  std::vector<CsvRow> rows;
};

CsvTable read_csv(const std::string& path);  // throws InputError (file:line) on ragged rows
CsvTable read_csv(std::istream& stream, const std::string& path);  // `path` only names the source in errors
std::vector<std::string> split_csv_line(const std::string& line);

// Parses "12.5" -> 12.5; "-", "", "N/A" -> NaN. Throws InputError naming file:line and column otherwise.
double csv_number(const CsvRow& row, const std::string& column, const std::string& file);

}  // namespace ws
