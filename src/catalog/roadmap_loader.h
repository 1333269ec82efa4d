#pragma once
// catalog/roadmap.toml: process nodes and chip designs (hardware/roadmap.h), and the hardware they derive.
#include <string>

#include "hardware/roadmap.h"

namespace ws {

struct Catalog;

// Reads and checks the file on its own (names, ranges, references between designs and nodes). Absent file: empty.
RoadmapCatalog load_roadmap(const std::string& file);

// Derives every design that scales from a reference and appends its chip, system and TCO inputs to the catalog;
// references without TCO inputs get them from `tco_inputs_from`. Throws InputError naming the file and design when
// a reference's chip or system is not in the catalog or a derived name is already taken.
void add_roadmap_hardware(Catalog& catalog, const std::string& file);

}  // namespace ws
