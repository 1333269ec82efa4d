#pragma once
// The command line as a shell over the request layer: one CLI11 subcommand per registered command, its
// options made from the command's field table; values go to the request layer as text, untouched.
#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "request/command.h"

namespace ws::cli {

// What the parsed options of one subcommand hold, before validation.
struct SubcommandInputs {
  const Command* command = nullptr;
  CLI::App* app = nullptr;
  std::map<std::string, std::string> scalars;
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, bool> flags;
  std::map<std::string, CLI::Option*> options;
  std::string format = "table";
};

// Adds every registered command (CLI-visible fields only) to `app`.
void add_commands(CLI::App& app, std::vector<std::unique_ptr<SubcommandInputs>>& inputs);
TextInputs given_texts(const SubcommandInputs& inputs);

// Runs a parsed subcommand: validates, loads the catalog, runs, prints. Returns the exit code.
// Under mpirun `processes` is the group the command's work items are spread over (null: alone).
int run_subcommand(const SubcommandInputs& inputs, const std::string& catalog_dir, const ProcessGroup* processes = nullptr);

// Exit codes (README "Exit codes"): 0 success, 2 bad input or an infeasible request, 1 an internal error.
inline constexpr int exit_ok = 0, exit_internal = 1, exit_bad_input = 2;

}  // namespace ws::cli
