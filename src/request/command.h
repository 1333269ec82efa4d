#pragma once
// The request layer: every command as a field table, a typed request built and validated from it, and a run
// that returns what the library computed. The CLI, the HTTP API and Python only fill values and print the output.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/table.h"
#include "perf/engine.h"
#include "request/fields.h"
#include "request/split.h"

namespace ws {

struct Context {
  const Catalog& catalog;
  const PerfEngine& engine;
  std::function<void(const std::string&)> progress = {};  // long work reports here (the CLI draws it on a terminal)
  Caller caller = Caller::cli;  // the API shares one server: some sweeps are capped tighter there (request/limits.h)
  // The processes this command's work items are spread over (the CLI under mpirun); null: all run here.
  const ProcessGroup* processes = nullptr;
  // Rank 0 alone writes files (--plot, --out); the other ranks compute the same output and discard it.
  bool writes_files() const { return !processes || processes->rank == 0; }
};

struct CommandOutput {
  std::vector<Table> tables;             // what the CLI prints, in order
  nlohmann::ordered_json api;            // the API's answer; null = the rows of tables[0]
  std::vector<std::string> files;        // files written (CLI-only fields such as --plot, --out)
  std::string text;                      // printed as is after the tables (the report's summary)
  nlohmann::ordered_json api_body() const;
};

struct Command {
  std::string name;
  std::string help;
  std::vector<Field> fields;
  std::function<CommandOutput(const Context&, const RequestValues&)> run;
  bool api = true;        // POST /api/<name> (listings also answer GET)
  bool listing = false;   // no computation: the API answers GET too
};

// Every command, in the order `waferscope --help` lists them. The one list (request/registry.cpp).
const std::vector<Command>& commands();
const Command* find_command(const std::string& name);

// Validate and run: values from the caller's text or JSON; any InputError leaves respelled for the caller.
CommandOutput run_command(const Command& command, const Context& context, const RequestValues& values, Caller caller);

}  // namespace ws
