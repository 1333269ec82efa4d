#include "cli/cli_app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "catalog/catalog.h"
#include "core/error.h"

namespace ws::cli {

void add_commands(CLI::App& app, std::vector<std::unique_ptr<SubcommandInputs>>& inputs) {
  for (const auto& command : commands()) {
    auto in = std::make_unique<SubcommandInputs>();
    in->command = &command;
    in->app = app.add_subcommand(command.name, command.help);
    for (const auto& field : command.fields) {
      if (field.surface == Surface::api) continue;
      const std::string flag = spell(field.name, Caller::cli);
      std::string help = field.help;
      if (field.fallback && field.type != FieldType::flag) help += " [default: " + *field.fallback + "]";
      if (field.required) help += " (required)";
      if (field.type == FieldType::flag) {
        in->options[field.name] = in->app->add_flag(flag, in->flags[field.name], help);
      } else if (field.type == FieldType::list) {
        in->options[field.name] = in->app->add_option(flag, in->lists[field.name], help);
      } else {
        in->options[field.name] = in->app->add_option(flag, in->scalars[field.name], help);
      }
    }
    in->app->add_option("--format", in->format, "Output format: table, csv, json, md")->capture_default_str();
    inputs.push_back(std::move(in));
  }
}

TextInputs given_texts(const SubcommandInputs& in) {
  TextInputs given;
  for (const auto& [name, option] : in.options) {
    if (option->count() == 0) continue;
    if (auto s = in.scalars.find(name); s != in.scalars.end()) given[name] = {s->second};
    else if (auto l = in.lists.find(name); l != in.lists.end()) given[name] = l->second;
    else if (auto f = in.flags.find(name); f != in.flags.end()) given[name] = {f->second ? "true" : "false"};
  }
  return given;
}

int run_subcommand(const SubcommandInputs& in, const std::string& catalog_dir, const ProcessGroup* processes) {
  Format format;
  try {
    format = parse_format(in.format);
  } catch (const InputError& e) {
    throw InputError("--format", e.message());
  }
  const RequestValues values = values_from_text(in.command->fields, given_texts(in), Caller::cli);
  const Catalog catalog = load_catalog(catalog_dir);
  const PerfEngine engine(catalog);
  const bool terminal = isatty(STDERR_FILENO);
  bool drew = false;
  Context context{catalog, engine, [&](const std::string& line) {
                    if (!terminal) return;
                    std::cerr << "\r" << line << "\x1b[K" << std::flush;
                    drew = true;
                  }};
  context.processes = processes;
  const CommandOutput out = run_command(*in.command, context, values, Caller::cli);
  if (drew) std::cerr << "\n";
  if (format == Format::json) {
    // One JSON document, the API's answer: tools parse it whole (several tables would be several documents).
    std::cout << out.api_body().dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    for (std::size_t i = 0; i < out.tables.size(); ++i) {
      if (i > 0) std::cout << "\n";
      std::cout << render(out.tables[i], format);
    }
    std::cout << out.text;
  }
  for (const auto& file : out.files) std::cerr << "wrote " << file << "\n";
  return exit_ok;
}

}  // namespace ws::cli
