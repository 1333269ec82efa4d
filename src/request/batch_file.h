#pragma once
// A batch file: many requests of one command in one TOML file, a table per scenario whose keys are the command's
// fields (snake_case, as the API spells them). `simulate --batch FILE.toml` reads one:
//
//   [cs3-poisson]                      # the scenario's name: the first column of its row
//   model = "gpt-oss-120b"
//   hardware = "cs-3"
//   workload = "8k-1k"
//   rate = 2
//   duration = 60
//
// Values keep the meaning they have on the command line: strings as typed ("128k"), numbers, true/false for
// switches, arrays for lists. An unknown key, a key the batch does not take, a nested table or a value of the
// wrong shape is an InputError naming file:line [scenario].key.
#include <map>
#include <string>
#include <vector>

#include "request/fields.h"

namespace ws {

struct BatchScenario {
  std::string name;
  std::string where;                  // "batch.toml:3 [cs3-poisson]"
  TextInputs values;                  // field -> texts, as the CLI would hand them over
  std::map<std::string, std::string> key_where;  // field -> "batch.toml:5 [cs3-poisson].rate"
};

// Reads `path`; `fields` is the command's table and `excluded` the fields a scenario may not set (the batch flag
// itself, files a batch does not write). Throws InputError for an empty file or more than `max_scenarios`.
std::vector<BatchScenario> read_batch_file(const std::string& path, const std::vector<Field>& fields,
                                           const std::vector<std::string>& excluded, std::size_t max_scenarios);

}  // namespace ws
