#pragma once
#include <string>
#include <vector>

namespace ws {

// Runs gnuplot on `script`, then removes the temporary `data_files` the script read (whether or not it worked);
// throws InputError (naming `flag`) if gnuplot is missing or fails.
void run_gnuplot(const std::string& script, const std::string& flag, const std::vector<std::string>& data_files = {});
// The "set terminal ...; set output ..." lines for a .png or .svg file; InputError (naming `flag`) otherwise.
std::string gnuplot_terminal(const std::string& file, const std::string& flag, int width = 1200, int height = 800);
// A temporary file path unique to this process and `tag`.
std::string temporary_path(const std::string& tag);

}  // namespace ws
