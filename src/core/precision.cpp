#include "core/precision.h"

#include "core/error.h"

namespace ws {

const Precision& PrecisionTable::get(const std::string& name, const std::string& where) const {
  auto it = by_name.find(to_lower(name));
  if (it == by_name.end()) throw InputError(where, unknown_name_message("precision", name, names(), ""));
  return it->second;
}

std::vector<std::string> PrecisionTable::names() const {
  std::vector<std::string> result;
  for (const auto& [name, precision] : by_name) result.push_back(name);
  return result;
}

}  // namespace ws
