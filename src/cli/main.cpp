// waferscope command line: a thin shell over the request layer (src/request/). Each subcommand is a registered
// command whose options come from its field table; this file only parses, runs and maps errors to exit codes.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>
#include <sstream>

#include "catalog/catalog.h"
#include "cli/cli_app.h"
#include "cli/commands/serve.h"
#include "cli/mpi_session.h"
#include "core/error.h"

namespace {

// CLI11 echoes the offending argument; a 10k-character value must not become a 10k-character error.
std::string shorten_long_words(const std::string& message) {
  std::istringstream words(message);
  std::string word, result;
  while (words >> word) {
    if (word.size() > 60) word = word.substr(0, 40) + "...(" + std::to_string(word.size()) + " characters)";
    result += (result.empty() ? "" : " ") + word;
  }
  return result;
}

}  // namespace

namespace {

// Under mpirun every rank runs the command and ends with the same output and the same exit code; rank 0 alone
// prints. The others' stdout and stderr go nowhere (an internal error still reaches stderr, with its rank).
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
};

}  // namespace

int run_main(int argc, char** argv, const ws::cli::MpiSession& mpi);

int main(int argc, char** argv) {
  std::optional<int> threads;
  try {
    threads = ws::cli::threads_from_env();
  } catch (const ws::InputError& error) {
    std::cerr << "waferscope: error: " << error.what() << "\n";
    return ws::cli::exit_bad_input;
  }
  ws::cli::MpiSession mpi(argc, argv, threads);
  NullBuffer null;
  std::streambuf* const out = std::cout.rdbuf();
  std::streambuf* const err = std::cerr.rdbuf();
  if (mpi.rank() != 0) {
    std::cout.rdbuf(&null);
    std::cerr.rdbuf(&null);
  }
  const int code = run_main(argc, argv, mpi);
  std::cout.rdbuf(out);
  std::cerr.rdbuf(err);
  if (code == ws::cli::exit_internal && mpi.size() > 1) {
    std::cerr << "waferscope: rank " << mpi.rank() << " of " << mpi.size() << ": internal error; ending every rank\n";
    mpi.abort(code);
  }
  return code;
}

int run_main(int argc, char** argv, const ws::cli::MpiSession& mpi) {
  using namespace ws;
  using namespace ws::cli;
  CLI::App app{"waferscope: a simulator and planner for LLM inference on wafer-scale SRAM machines and the "
               "accelerators they compete with"};
  app.set_version_flag("--version", std::string(WAFERSCOPE_VERSION));
  app.require_subcommand(1);
  std::string catalog_dir = default_catalog_dir();
  app.add_option("--catalog", catalog_dir, "Catalog folder (default: $WAFERSCOPE_CATALOG or the built-in one)");
  std::vector<std::unique_ptr<SubcommandInputs>> subcommands;
  add_commands(app, subcommands);
  ServeInputs serve;
  add_serve(app, serve);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    // CLI11's own failures (unknown flag, missing value, extra argument) are bad input like any other.
    std::cerr << "waferscope: error: " << shorten_long_words(error.what()) << " (see waferscope --help)\n";
    return exit_bad_input;
  }
  try {
    if (serve.app->parsed()) return run_serve(serve, catalog_dir);
    for (const auto& sub : subcommands)
      if (sub->app->parsed()) return run_subcommand(*sub, catalog_dir, mpi.group());
    return exit_internal;
  } catch (const InputError& error) {
    std::cerr << "waferscope: error: " << error.what() << "\n";
    return exit_bad_input;
  } catch (const InfeasibleError& error) {
    std::cerr << "waferscope: infeasible: " << error.what() << "\n";
    return exit_bad_input;
  } catch (const std::bad_alloc&) {
    std::cerr << "waferscope: internal error: out of memory\n";
    return exit_internal;
  } catch (const std::exception& error) {
    std::cerr << "waferscope: internal error: " << error.what() << "\n";
    return exit_internal;
  }
}
