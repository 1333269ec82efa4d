#pragma once
#include <string>

#include "catalog/catalog.h"
#include "perf/engine.h"

namespace ws {

// Small parsers shared by the CLI flags and the HTTP API fields, so both accept exactly the same values.
// `where` names the flag or field in errors.
bool parse_kv_window(const std::string& text, const std::string& where);  // honor | ignore
// none | mtp[,k=K][,accept=A] | draft=MODEL[,k=K][,accept=A] | vendor
SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& where);

}  // namespace ws
