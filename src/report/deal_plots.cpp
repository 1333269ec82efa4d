#include "report/deal_plots.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "core/gnuplot.h"

namespace ws {

namespace {

std::string axis_label(DealAxis axis) {
  switch (axis) {
    case DealAxis::rental: return "Rental (USD per system-hour)";
    case DealAxis::billed_utilization: return "Billed utilisation (fraction of hours)";
    case DealAxis::lifetime: return "Lifetime (years)";
  }
  return "";
}

}  // namespace

void plot_deal_sensitivity(const std::vector<SensitivitySeries>& series, double base_irr, const std::string& title,
                           const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1500, 520);
  const std::string data = temporary_path("deal_sensitivity.dat");
  {
    std::ofstream out(data);
    for (const auto& s : series) {  // one gnuplot index per axis; an undefined IRR is left out
      for (const auto& p : s.points)
        if (std::isfinite(p.project_irr)) out << p.value << " " << 100 * p.project_irr << "\n";
      out << "\n\n";
    }
  }
  std::string script = terminal;
  script += fmt::format("set multiplot layout 1,{} title '{}' noenhanced\n", series.size(), title);
  script += "set grid\nset ylabel 'Project IRR (%)'\nunset key\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    script += "set xlabel '" + axis_label(series[i].axis) + "'\n";
    script += fmt::format("plot '{}' index {} using 1:2 with linespoints pt 7 lw 2 lc {}, "
                          "'-' using 1:2 with points pt 9 ps 2 lc rgb 'black'\n{} {}\ne\n",
                          data, i, i + 1, series[i].base_value, 100 * base_irr);
  }
  script += "unset multiplot\n";
  run_gnuplot(script, "plot", {data});
}

void plot_bom_dram(const std::vector<std::pair<double, double>>& curve, const std::vector<LabelledPoint>& points,
                   const std::string& title, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1100, 700);
  const std::string data = temporary_path("bom_dram.dat"), marks = temporary_path("bom_marks.dat");
  {
    std::ofstream out(data);
    for (const auto& [x, y] : curve) out << x << " " << y / 1e3 << "\n";
    std::ofstream m(marks);
    for (const auto& p : points) m << p.x << " " << p.y / 1e3 << " \"" << p.label << "\"\n";
  }
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += "set xlabel 'DRAM price (USD per GB)'\nset ylabel 'BoM total (thousand USD)'\nset grid\nset key top left\n";
  script += fmt::format("plot '{}' using 1:2 with lines lw 2 title 'total', "
                        "'{}' using 1:2 with points pt 7 ps 1.5 lc rgb 'black' title 'published totals', "
                        "'' using 1:2:3 with labels offset 1,-1 left notitle\n",
                        data, marks);
  run_gnuplot(script, "plot", {data, marks});
}

}  // namespace ws
