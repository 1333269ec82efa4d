#pragma once
// A rack's bill of materials: the catalog's line items (catalog/bom.toml) plus the DRAM line,
//   dram_usd = dram_gb x dram_usd_per_gb,    total = sum of quantity x unit cost + dram_usd.
// The DRAM price per GB is the one input a scenario (or the user) changes.
#include <string>
#include <vector>

#include "catalog/deals.h"

namespace ws {

struct BomLine {
  std::string id, item, basis;
  double quantity = 0;
  double unit_cost_usd = 0;
  double extended_cost_usd = 0;
};

struct Bom {
  std::string system;
  double dram_usd_per_gb = 0;
  std::vector<BomLine> lines;  // catalog items in order, the DRAM line after the KVSS server
  double other_lines_usd = 0;  // everything but the DRAM
  double total_usd = 0;
};

Bom build_bom(const SystemBom& bom, double dram_usd_per_gb);
// The DRAM price per GB at which the total equals `total_usd` (how the catalog's scenario prices were set).
double dram_usd_per_gb_for_total(const SystemBom& bom, double total_usd);

}  // namespace ws
