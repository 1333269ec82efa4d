#pragma once
// Shared helpers for tests: the built-in catalog (loaded once) and paths located through compile definitions,
// never through the working directory.
#include <string>

#include "catalog/catalog.h"

namespace ws::test {

inline const Catalog& catalog() {
  static const Catalog loaded = load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

inline std::string data_path(const std::string& relative) { return std::string(WAFERSCOPE_TEST_DATA_DIR) + "/" + relative; }
inline std::string catalog_path(const std::string& relative) { return std::string(WAFERSCOPE_CATALOG_DIR) + "/" + relative; }

}  // namespace ws::test
