// serve: the HTTP JSON API and the calculator page. CLI-only (it is the API's host), validated through a field
// table like every other command.
#include "cli/commands/serve.h"

#include <fmt/format.h>

#include <iostream>

#include "api/server.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "request/common.h"

namespace ws::cli {

namespace {

std::vector<Field> serve_fields() {
  return {text_field("host", std::string("127.0.0.1"), "Address to bind (loopback by default)"),
          Field{"port", FieldType::integer, "Port (0 = any free port)", std::string("8080"), 0, 65535, "TCP ports end at 65535"},
          Field{"threads", FieldType::integer, "Worker threads", std::string("16"), 1, 256,
                "idle keep-alive connections hold one each; 256 is far beyond two cores' use"},
          text_field("web_dir", default_web_dir(), "Folder of the built page (web/dist)")};
}

}  // namespace

void add_serve(CLI::App& app, ServeInputs& in) {
  in.app = app.add_subcommand("serve", "HTTP JSON API and the calculator page");
  in.fields = serve_fields();
  for (const auto& field : in.fields)
    in.options[field.name] = in.app->add_option(spell(field.name, Caller::cli), in.scalars[field.name],
                                                field.help + " [default: " + *field.fallback + "]");
}

int run_serve(const ServeInputs& in, const std::string& catalog_dir) {
  TextInputs given;
  for (const auto& [name, option] : in.options)
    if (option->count() > 0) given[name] = {in.scalars.at(name)};
  const RequestValues v = values_from_text(in.fields, given, Caller::cli);
  ServeOptions options;
  options.host = v.text("host");
  options.port = static_cast<int>(v.integer("port"));
  options.threads = static_cast<int>(v.integer("threads"));
  options.web_dir = v.text("web_dir");
  const Catalog catalog = load_catalog(catalog_dir);
  ApiServer server(catalog, options);
  int port = 0;
  try {
    port = server.bind();
  } catch (const InputError& e) {
    rethrow_respelled(e, in.fields, Caller::cli);
  }
  std::cerr << fmt::format("waferscope: serving http://{}:{}/ (API under /api/; page from {})\n", options.host, port,
                           options.web_dir);
  server.run();
  return 0;
}

}  // namespace ws::cli
