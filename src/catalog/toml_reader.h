#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace ws {

// Reads one TOML table of a catalog file and remembers which keys it consumed, so that leftovers (typos,
// keys this version does not know) are rejected with file:line instead of being silently ignored.
// Every accessor throws InputError naming file:line and key.
class TomlReader {
 public:
  TomlReader(const toml::table& table, std::string file, std::string table_name);

  std::string where(const std::string& key) const;  // "catalog/chips.toml:12 [wse-3].fp8_tflops"
  std::string where() const;                       // the table itself

  bool has(const std::string& key) const;
  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  double positive(const std::string& key);  // > 0
  std::optional<double> optional_positive(const std::string& key);
  double non_negative(const std::string& key);
  std::optional<double> optional_non_negative(const std::string& key);
  double fraction(const std::string& key);  // in [0, 1]
  double in_range(const std::string& key, double low, double high);  // any sign: margins, rates
  std::optional<double> optional_in_range(const std::string& key, double low, double high);
  long long positive_integer(const std::string& key);
  std::optional<long long> optional_positive_integer(const std::string& key);
  // [[a, b], [c, d], ...] of numbers.
  std::optional<std::vector<std::pair<double, double>>> optional_pairs(const std::string& key);
  TomlReader subtable(const std::string& key);
  std::optional<TomlReader> optional_subtable(const std::string& key);
  std::vector<std::string> keys() const;
  // The subtables of this table in the order the file writes them (toml++ iterates keys sorted); consumes them.
  std::vector<std::pair<std::string, TomlReader>> subtables_in_order();

  // Throws for the first key not consumed, listing the keys that are accepted.
  void reject_unknown_keys(const std::vector<std::string>& accepted_hint = {}) const;

 private:
  const toml::node* node(const std::string& key) const;
  double number(const std::string& key);

  const toml::table* table_;
  std::string file_;
  std::string table_name_;
  std::set<std::string> consumed_;
};

// Parses a TOML file; a syntax error becomes an InputError with file:line:column.
toml::table parse_toml_file(const std::string& path);

// The top-level tables of a catalog file in the order they appear (toml++ iterates keys sorted). Each entry
// is a named table; anything else at the top level is rejected with file:line.
std::vector<std::pair<std::string, const toml::table*>> top_level_tables(const toml::table& document,
                                                                         const std::string& file);

// Catalog entry names are lowercase without spaces ("wse-3"); throws InputError at the entry otherwise.
void check_catalog_name(const std::string& name, const TomlReader& reader);
// An entry's `figure_sources = { key = "citation" }`, each key one the entry sets.
std::map<std::string, std::string> read_figure_sources(TomlReader& reader);

}  // namespace ws
