#include "report/fabric_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "core/gnuplot.h"

namespace ws {

void plot_fabric(const fabric::Mesh& mesh, const fabric::KernelResult& result, const std::string& title, const std::string& file) {
  const int rows = mesh.region().rows, cols = mesh.physical_cols();
  const double aspect = static_cast<double>(rows) / std::max(1, cols);
  const int width = 1100, height = std::clamp(static_cast<int>(width * aspect) + 120, 400, 1400);
  const std::string terminal = gnuplot_terminal(file, "plot", width, height);
  const std::string defects = temporary_path("fabric_defects.dat"), path = temporary_path("fabric_path.dat");
  {
    std::ofstream out(defects);
    for (const auto& d : mesh.defects().cells()) out << d.col << " " << d.row << "\n";
    if (mesh.defects().count() == 0) out << "NaN NaN\n";
  }
  {
    std::ofstream out(path);
    for (const auto& r : result.critical.routers) out << r.col << " " << r.row << "\n";
    if (result.critical.routers.empty()) out << "NaN NaN\n";
  }
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\nset size ratio -1\n", cols - 0.5, rows - 0.5);
  script += "set xlabel 'column (physical tile)'\nset ylabel 'row'\nset key below noenhanced\n";
  script += fmt::format("set object 1 rect from -0.5,-0.5 to {},{} fs empty border lc rgb '#4060a0'\n", mesh.region().cols - 0.5,
                        rows - 0.5);
  if (mesh.spares() > 0)
    script += fmt::format("set object 2 rect from {},-0.5 to {},{} fs solid 0.15 noborder fc rgb '#808080'\n",
                          mesh.region().cols - 0.5, cols - 0.5, rows - 0.5);
  script += fmt::format(
      "plot '{0}' using 1:2 with points pt 5 ps 0.6 lc rgb '#d02020' title 'dead tile ({2})', "
      "'{1}' using 1:2 with lines lw 2 lc rgb '#2050c0' title 'critical path ({3:.0f} hops, {4:.0f} cycles)', "
      "'{1}' every ::0::0 using 1:2 with points pt 7 ps 1.4 lc rgb '#20a040' title 'start', "
      "'{1}' using 1:2 every ::{5}::{5} with points pt 9 ps 1.6 lc rgb '#000000' title 'end'\n",
      defects, path, mesh.defects().count(), result.critical.hops, result.simulated_cycles,
      result.critical.routers.empty() ? 0 : result.critical.routers.size() - 1);
  run_gnuplot(script, "plot", {defects, path});
}

}  // namespace ws
