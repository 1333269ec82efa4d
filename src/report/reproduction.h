#pragma once
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/table.h"

namespace ws {

// One printed figure of the source analysis next to what the arithmetic gives.
struct Comparison {
  std::string table;      // "model_footprints"
  std::string row;        // "Llama 3.1 405B"
  std::string field;      // "kv_128k_GB"
  double published = 0;   // as printed, in the printed unit
  double computed = 0;    // same unit
  double tolerance = 0;   // relative tolerance this field is held to
  bool reproduced = false;
  std::string cause;      // why it departs (empty when reproduced)
};

struct ReproductionReport {
  std::vector<Table> tables;            // recomputed tables
  std::vector<Comparison> comparisons;  // every published figure checked
  std::string summary;                  // printed by `waferscope report`
  std::string index_markdown;           // the section of report/index.md linking the tables
};

// Recomputes every table of the source analysis from the catalog, compares against catalog/published/.
ReproductionReport reproduce_source_tables(const Catalog& catalog);

// Writes each table as Markdown and CSV, and deviations.{md,csv}, under `out_dir`; returns the report with
// `index_markdown` holding the index section that links them.
ReproductionReport write_reproduction_report(const Catalog& catalog, const std::string& out_dir);

// Writes `content` to out_dir/name; InputError naming --out if it cannot.
void write_text_file(const std::string& out_dir, const std::string& name, const std::string& content);

// A printed value reproduces when the computed one rounds to it at the printed precision, or lies within
// `relative_tolerance` of it.
bool reproduces(double published, const std::string& printed_text, double computed, double relative_tolerance);

}  // namespace ws
