#include "econ/bom.h"

namespace ws {

namespace {

double other_lines_usd(const SystemBom& bom) {
  double sum = 0;
  for (const auto& item : bom.items) sum += static_cast<double>(item.quantity) * item.unit_cost_usd;
  return sum;
}

}  // namespace

Bom build_bom(const SystemBom& bom, double dram_usd_per_gb) {
  Bom b;
  b.system = bom.system;
  b.dram_usd_per_gb = dram_usd_per_gb;
  const BomLine dram{"dram", bom.dram_item, bom.dram_source, bom.dram_gb, dram_usd_per_gb, bom.dram_gb * dram_usd_per_gb};
  bool placed = false;
  for (const auto& item : bom.items) {
    const double quantity = static_cast<double>(item.quantity);
    b.lines.push_back({item.id, item.item, item.basis, quantity, item.unit_cost_usd, quantity * item.unit_cost_usd});
    if (item.id == "kvss-server") {  // the memory sits in the KVSS node: list it there
      b.lines.push_back(dram);
      placed = true;
    }
  }
  if (!placed) b.lines.push_back(dram);
  b.other_lines_usd = other_lines_usd(bom);
  b.total_usd = b.other_lines_usd + dram.extended_cost_usd;
  return b;
}

double dram_usd_per_gb_for_total(const SystemBom& bom, double total_usd) {
  return (total_usd - other_lines_usd(bom)) / bom.dram_gb;
}

}  // namespace ws
