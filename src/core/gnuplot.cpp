#include "core/gnuplot.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace ws {
namespace fs = std::filesystem;

std::string temporary_path(const std::string& tag) {
  return (fs::temp_directory_path() / fmt::format("waferscope_{}_{}", ::getpid(), tag)).string();
}

std::string gnuplot_terminal(const std::string& file, const std::string& flag, int width, int height) {
  std::string extension = fs::path(file).extension().string();
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string terminal;
  if (extension == ".png") terminal = fmt::format("set terminal pngcairo size {},{} enhanced font 'DejaVu Sans,12'\n", width, height);
  else if (extension == ".svg") terminal = fmt::format("set terminal svg size {},{} enhanced font 'DejaVu Sans,12'\n", width, height);
  else throw InputError(flag, "expected a file ending in .png or .svg; got '" + file + "'");
  return terminal + "set output '" + file + "'\n";
}

void run_gnuplot(const std::string& script, const std::string& flag, const std::vector<std::string>& data_files) {
  const std::string script_file = temporary_path("plot.gp");
  std::ofstream(script_file) << script;
  FILE* pipe = popen(("gnuplot '" + script_file + "' 2>&1").c_str(), "r");
  if (!pipe) {
    for (const auto& file : data_files) fs::remove(file);
    throw InputError(flag, "cannot run gnuplot");
  }
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  fs::remove(script_file);
  for (const auto& file : data_files) fs::remove(file);
  if (status != 0) throw InputError(flag, "gnuplot failed (install gnuplot-nox; `make` does): " + output);
}

}  // namespace ws
