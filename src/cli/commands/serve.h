#pragma once
#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "request/fields.h"

namespace ws::cli {

struct ServeInputs {
  CLI::App* app = nullptr;
  std::vector<Field> fields;
  std::map<std::string, std::string> scalars;
  std::map<std::string, CLI::Option*> options;
};

void add_serve(CLI::App& app, ServeInputs& inputs);
int run_serve(const ServeInputs& inputs, const std::string& catalog_dir);

}  // namespace ws::cli
