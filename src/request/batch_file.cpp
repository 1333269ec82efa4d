#include "request/batch_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "catalog/toml_reader.h"
#include "core/error.h"

namespace ws {

namespace {

// A scalar TOML value as the text a user would type on the command line.
bool scalar_text(const toml::node& node, std::string& text) {
  if (const auto* s = node.as_string()) {
    text = s->get();
  } else if (const auto* i = node.as_integer()) {
    text = std::to_string(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    text = fmt::format("{}", f->get());  // shortest text that reads back as the same double
  } else if (const auto* b = node.as_boolean()) {
    text = b->get() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::vector<BatchScenario> read_batch_file(const std::string& path, const std::vector<Field>& fields,
                                           const std::vector<std::string>& excluded, std::size_t max_scenarios) {
  const toml::table document = parse_toml_file(path);
  std::vector<std::string> accepted;
  for (const auto& f : fields)
    if (f.surface != Surface::api && std::find(excluded.begin(), excluded.end(), f.name) == excluded.end())
      accepted.push_back(f.name);
  std::vector<BatchScenario> scenarios;
  for (const auto& [name, table] : top_level_tables(document, path)) {
    const TomlReader reader(*table, path, name);
    BatchScenario s;
    s.name = name;
    s.where = reader.where();
    std::vector<std::pair<std::string, const toml::node*>> keys;
    for (const auto& [key, node] : *table) keys.emplace_back(std::string(key.str()), &node);
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto& a, const auto& b) { return a.second->source().begin.line < b.second->source().begin.line; });
    for (const auto& [key, node] : keys) {
      const std::string where = reader.where(key);
      const std::string& name_of_key = key;  // clang 14 cannot capture a structured binding in a lambda
      const auto field =
          std::find_if(fields.begin(), fields.end(), [&name_of_key](const Field& f) { return f.name == name_of_key; });
      if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
        if (field != fields.end())
          throw InputError(where, "'" + key + "' is not taken in a batch (one summary row per scenario)");
        const auto closest = closest_names(key, accepted);
        std::string hint;
        for (const auto& c : closest) hint += (hint.empty() ? "" : ", ") + c;
        throw InputError(where, "unknown key '" + key + "'" + (hint.empty() ? "" : " (closest: " + hint + ")") +
                                    "; a scenario takes the command's fields: see --help");
      }
      std::vector<std::string> texts;
      std::string text;
      if (const auto* array = node->as_array()) {
        if (field->type != FieldType::list) throw InputError(where, "expected one value, not an array");
        for (const auto& item : *array) {
          if (!scalar_text(item, text)) throw InputError(where, "expected an array of strings or numbers");
          texts.push_back(text);
        }
      } else if (scalar_text(*node, text)) {
        texts.push_back(text);
      } else {
        throw InputError(where, "expected a string, a number or true/false, not a table");
      }
      s.values[key] = texts;
      s.key_where[key] = where;
    }
    scenarios.push_back(std::move(s));
    if (scenarios.size() > max_scenarios)
      throw InputError(path, fmt::format("more than {} scenarios in one batch; split the file", max_scenarios));
  }
  if (scenarios.empty()) throw InputError(path, "no scenarios: expected one [name] table per scenario");
  return scenarios;
}

}  // namespace ws
