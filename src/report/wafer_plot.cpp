#include "report/wafer_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <vector>

#include "core/gnuplot.h"

namespace ws {

namespace {

// A row-major range of cores [a, b) as at most three rectangles: "x y half-width half-height" (boxxyerror).
void write_range(std::ofstream& out, double a, double b, int cols) {
  if (b <= a) return;
  auto box = [&](double c0, double c1, double r0, double r1) {
    if (c1 > c0 && r1 > r0) out << (c0 + c1) / 2 - 0.5 << " " << (r0 + r1) / 2 - 0.5 << " " << (c1 - c0) / 2 << " " << (r1 - r0) / 2 << "\n";
  };
  const double ra = std::floor(a / cols), rb = std::floor(b / cols);
  const double ca = a - ra * cols, cb = b - rb * cols;
  if (ra == rb) return box(ca, cb, ra, ra + 1);
  box(ca, cols, ra, ra + 1);
  box(0, cols, ra + 1, rb);
  box(0, cb, rb, rb + 1);
}

}  // namespace

void plot_wafer_layout(const fabric::WaferLayout& layout, int wafer, const std::string& title, const std::string& file) {
  const int rows = layout.fabric.rows, cols = layout.fabric.cols;
  const int width = 1000, height = std::clamp(static_cast<int>(width * static_cast<double>(rows) / std::max(1, cols)) + 120, 400, 1500);
  const std::string terminal = gnuplot_terminal(file, "plot", width, height);
  // One block per part (gnuplot's `index`), in a fixed order so the legend reads as a token meets them.
  const std::vector<std::pair<std::string, std::string>> parts = {
      {"embedding", "#909090"}, {"attention", "#3060c0"}, {"kv", "#f0a030"},   {"mlp", "#30a050"},
      {"shared", "#20a0a0"},    {"experts", "#8050b0"},   {"experts_odd", "#c0a0e0"}, {"head", "#505050"}};
  const std::string bands_file = temporary_path("wafer_bands.dat"), path_file = temporary_path("wafer_path.dat");
  std::map<std::string, int> count;
  {
    std::ofstream out(bands_file);
    for (const auto& [part, colour] : parts) {
      (void)colour;
      out << "# " << part << "\n";
      for (const auto& b : layout.bands) {
        if (b.wafer != wafer) continue;
        if (b.part == "experts" && b.experts > 0) {
          const double cell = b.cores / b.experts;
          for (int e = (part == "experts" ? 0 : 1); part.rfind("experts", 0) == 0 && e < b.experts; e += 2) {
            write_range(out, b.first_core + e * cell, b.first_core + (e + 1) * cell, cols);
            ++count[part];
          }
        } else if (b.part == part) {
          write_range(out, b.first_core, b.first_core + b.cores, cols);
          ++count[part];
        }
      }
      if (!count[part]) out << "NaN NaN NaN NaN\n";
      out << "\n\n";
    }
  }
  std::size_t stops = 0;
  {
    std::ofstream out(path_file);
    for (const auto& s : layout.path)
      if (s.wafer == wafer) {
        out << s.col << " " << s.row << "\n";
        ++stops;
      }
    if (!stops) out << "NaN NaN\n";
  }
  std::string script = terminal;
  std::string quoted;  // gnuplot's single-quoted string: '' is a quote
  for (char ch : title) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  script += "set title '" + quoted + "' noenhanced\n";
  script += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\nset size ratio -1\n", cols - 0.5, rows - 0.5);
  script += "set xlabel 'column (logical core)'\nset ylabel 'row'\nset key below noenhanced\nset style fill solid 0.85 noborder\n";
  script += fmt::format("set object 1 rect from -0.5,-0.5 to {},{} fs empty border lc rgb '#404040'\n", cols - 0.5, rows - 0.5);
  script += "plot ";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& [part, colour] = parts[i];
    const std::string name = part == "experts_odd" ? "" : part == "kv" ? "KV cache" : part == "shared" ? "router + shared experts" : part;
    script += fmt::format("'{}' index {} using 1:2:3:4 with boxxyerror lc rgb '{}' {}, ", bands_file, i, colour,
                          name.empty() || !count[part] ? "notitle" : "title '" + name + "'");
  }
  script += fmt::format(
      "'{0}' using 1:2 with linespoints lw 1.5 pt 6 ps 0.5 lc rgb '#d02020' title 'one token ({1} stops)', "
      "'{0}' every ::0::0 using 1:2 with points pt 7 ps 1.6 lc rgb '#20a040' title 'enters', "
      "'{0}' every ::{2}::{2} using 1:2 with points pt 9 ps 1.8 lc rgb '#000000' title 'leaves'\n",
      path_file, stops, stops ? stops - 1 : 0);
  run_gnuplot(script, "plot", {bands_file, path_file});
}

}  // namespace ws
