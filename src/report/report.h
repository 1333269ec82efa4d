#pragma once
#include <string>

#include "catalog/catalog.h"

namespace ws {

// The main job (`waferscope report`, `make run`): the source analysis recomputed with its departures, the
// performance validation, and the throughput-interactivity frontiers, under `out_dir` with an index.md.
// Returns the summary to print.
std::string write_report(const Catalog& catalog, const std::string& out_dir);

}  // namespace ws
