// The Python binding (module waferscope._waferscope): one generic run(command, JSON body) through the request layer,
// the path the HTTP API takes (values_from_json, run_command, CommandOutput::api_body), and the command list with
// each field's table, from which python/waferscope/__init__.py makes one function per command. The caller is
// Caller::python: JSON values spelled as the API spells them, with the CLI's local caps, paths and file fields.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/catalog.h"
#include "core/error.h"
#include "perf/engine.h"
#include "request/command.h"

namespace py = pybind11;

namespace ws {
namespace {

// One loaded catalog and the engine over it; shared by every call until set_catalog replaces it. The engine holds
// a reference to the catalog, so the pair lives and dies together behind one shared_ptr.
struct Loaded {
  std::string dir;
  Catalog catalog;
  PerfEngine engine;
  explicit Loaded(const std::string& d) : dir(d), catalog(load_catalog(d)), engine(catalog) {}
};

std::mutex loaded_mutex;
std::string catalog_dir = default_catalog_dir();
std::shared_ptr<const Loaded> loaded;

std::shared_ptr<const Loaded> current() {
  std::lock_guard<std::mutex> lock(loaded_mutex);
  if (!loaded) loaded = std::make_shared<const Loaded>(catalog_dir);
  return loaded;
}

// What a call gives back to the Python side, which raises from it: ("ok", "", json text), ("input", field,
// message) for bad input of any kind, ("infeasible", "", message) for a request that cannot be satisfied.
// Anything else is a library bug and reaches Python as RuntimeError.
using Answer = std::tuple<std::string, std::string, std::string>;

Answer input_error(const InputError& e) { return {"input", e.where(), e.message()}; }

Answer run(const std::string& name, const std::string& body) {
  const Command* command = find_command(name);
  if (!command) return {"input", "", "unknown command '" + name + "'"};
  py::gil_scoped_release release;  // the catalog and engine are read-only: calls from several threads run at once
  try {
    const auto state = current();
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
      return {"input", "", std::string("malformed JSON: ") + e.what()};
    }
    const RequestValues values = values_from_json(command->fields, request, Caller::python);
    const Context context{state->catalog, state->engine, {}, Caller::python};
    const CommandOutput out = run_command(*command, context, values, Caller::python);
    return {"ok", "", out.api_body().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
  } catch (const InputError& e) {
    return input_error(e);
  } catch (const InfeasibleError& e) {
    return {"infeasible", "", e.what()};
  } catch (const nlohmann::json::exception& e) {  // as the API answers it (400): a JSON value of the wrong kind
    return {"input", "", std::string("bad JSON value: ") + e.what()};
  }
}

// Loads a catalog folder at once (so a bad folder fails here, naming its file:line) and makes it the current one;
// with load=false only names the folder, read on the next call (the package's own copy, at import).
Answer set_catalog(const std::string& dir, bool load) {
  py::gil_scoped_release release;
  try {
    auto next = load ? std::make_shared<const Loaded>(dir) : nullptr;
    std::lock_guard<std::mutex> lock(loaded_mutex);
    catalog_dir = dir;
    loaded = std::move(next);
    return {"ok", "", dir};
  } catch (const InputError& e) {
    return input_error(e);
  }
}

std::string get_catalog_dir() {
  std::lock_guard<std::mutex> lock(loaded_mutex);
  return catalog_dir;
}

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::integer: return "integer";
    case FieldType::number: return "number";
    case FieldType::tokens: return "tokens";
    case FieldType::text: return "text";
    case FieldType::flag: return "flag";
    case FieldType::list: return "list";
    case FieldType::object: return "object";
  }
  return "text";
}

const char* surface_name(Surface surface) {
  switch (surface) {
    case Surface::both: return "both";
    case Surface::cli: return "cli";
    case Surface::api: return "api";
  }
  return "both";
}

// Every registered command with its field table, as plain Python values.
py::list command_list() {
  py::list result;
  for (const auto& command : commands()) {
    py::list fields;
    for (const auto& field : command.fields) {
      py::dict f;
      f["name"] = field.name;
      f["type"] = type_name(field.type);
      f["help"] = field.help;
      f["default"] = field.fallback ? py::object(py::str(*field.fallback)) : py::object(py::none());
      f["required"] = field.required;
      f["surface"] = surface_name(field.surface);
      const bool ranged = field.type == FieldType::integer || field.type == FieldType::number || field.type == FieldType::tokens;
      f["min"] = ranged ? py::object(py::float_(field.min)) : py::object(py::none());
      f["max"] = ranged ? py::object(py::float_(field.max)) : py::object(py::none());
      fields.append(f);
    }
    py::dict c;
    c["name"] = command.name;
    c["help"] = command.help;
    c["api"] = command.api;
    c["listing"] = command.listing;
    c["fields"] = fields;
    result.append(c);
  }
  return result;
}

}  // namespace
}  // namespace ws

PYBIND11_MODULE(_waferscope, m) {
  m.doc() = "waferscope's request layer (use the waferscope package, which wraps it)";
  m.attr("version") = WAFERSCOPE_VERSION;
  m.def("run", &ws::run, py::arg("command"), py::arg("body"),
        "Run a command on a JSON body; returns (kind, field, text): ('ok', '', answer JSON) or an error");
  m.def("commands", &ws::command_list, "Every command with its fields (name, type, help, default, ...)");
  m.def("set_catalog", &ws::set_catalog, py::arg("path"), py::arg("load") = true,
        "Use a catalog folder from now on: loaded at once, or with load=False on the next call");
  m.def("catalog_dir", &ws::get_catalog_dir, "The catalog folder in use (or to be loaded on the first call)");
}
