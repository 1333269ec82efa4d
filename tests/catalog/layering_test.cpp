// The flow of ../shared/DESIGN.md, enforced: a lower stage never includes a higher one. Every folder under src/
// has a rank; an #include "stage/..." from a lower rank to a higher one fails, as does a folder without a rank,
// a cycle between two folders of the same rank, and core/table.h or core/gnuplot.h (tables, plots) below report/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace ws {
namespace {
namespace fs = std::filesystem;

// catalog (the data files) -> hardware/model -> analysis -> placement -> fabric -> perf -> frontier/econ -> sim
// -> report -> request -> cli/api/python. core/ (units, errors, CSV, tables) is under everything. src/catalog/
// is the loader that fills the typed values of hardware/, model/ and workload/, so it sits just above them.
const std::map<std::string, int>& stage_ranks() {
  static const std::map<std::string, int> ranks = {
      {"core", 0},     {"hardware", 1}, {"model", 1},     {"workload", 1}, {"catalog", 2},  {"analysis", 3},
      {"placement", 4}, {"fabric", 5},  {"perf", 6},      {"frontier", 7}, {"econ", 7},     {"sim", 8},
      {"report", 9},   {"request", 10}, {"cli", 11},      {"api", 11},     {"python", 11}};
  return ranks;
}

// Headers that build tables and plots: report/ and above only.
const std::set<std::string>& presentation_headers() {
  static const std::set<std::string> headers = {"core/table.h", "core/gnuplot.h"};
  return headers;
}

struct Include {
  std::string file;  // "src/perf/engine.h"
  int line = 0;
  std::string from, to, header;  // stages; header "econ/token_cost.h"
};

std::vector<Include> scan(const fs::path& src) {
  static const std::regex include(R"(^\s*#\s*include\s*\"([A-Za-z0-9_]+)/([^\"]+)\")");
  std::vector<Include> found;
  for (const auto& stage : fs::directory_iterator(src)) {
    if (!stage.is_directory()) continue;
    for (const auto& entry : fs::recursive_directory_iterator(stage.path())) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".hpp" && ext != ".cc")) continue;
      std::ifstream in(entry.path());
      std::string text;
      int number = 0;
      while (std::getline(in, text)) {
        ++number;
        std::smatch m;
        if (std::regex_search(text, m, include))
          found.push_back({fs::relative(entry.path(), src.parent_path()).string(), number,
                           stage.path().filename().string(), m[1].str(), m[1].str() + "/" + m[2].str()});
      }
    }
  }
  return found;
}

std::vector<std::string> violations(const fs::path& src) {
  const auto& ranks = stage_ranks();
  std::vector<std::string> out;
  for (const auto& stage : fs::directory_iterator(src))
    if (stage.is_directory() && !ranks.count(stage.path().filename().string()))
      out.push_back("src/" + stage.path().filename().string() + "/: a stage without a rank (add it to stage_ranks())");
  const auto includes = scan(src);
  std::set<std::pair<std::string, std::string>> same_rank_edges;
  for (const auto& i : includes) {
    if (i.from == i.to || !ranks.count(i.from)) continue;
    const std::string where = i.file + ":" + std::to_string(i.line) + " includes " + i.header;
    if (!ranks.count(i.to)) {
      out.push_back(where + ": no stage '" + i.to + "'");
      continue;
    }
    if (ranks.at(i.to) > ranks.at(i.from))
      out.push_back(where + ": " + i.to + "/ is a higher stage than " + i.from + "/");
    if (ranks.at(i.to) == ranks.at(i.from)) same_rank_edges.insert({i.from, i.to});
    if (presentation_headers().count(i.header) && ranks.at(i.from) < ranks.at("report"))
      out.push_back(where + ": tables and plots are built in report/, not in " + i.from + "/");
  }
  for (const auto& [a, b] : same_rank_edges)
    if (a < b && same_rank_edges.count({b, a})) out.push_back(a + "/ and " + b + "/ include each other");
  return out;
}

TEST(Layering, NoLowerStageIncludesAHigherOne) {
  const fs::path src = fs::path(WAFERSCOPE_CATALOG_DIR).parent_path() / "src";
  ASSERT_TRUE(fs::is_directory(src / "perf")) << src;
  ASSERT_GT(scan(src).size(), 50u);  // the scanner sees the includes
  std::string report;
  for (const auto& v : violations(src)) report += "  " + v + "\n";
  EXPECT_TRUE(report.empty()) << "layering violations:\n" << report;
}

// The checker itself, on a small tree: an upward include, a mutual same-rank pair, a table below report/, an
// unranked folder; a downward include passes.
TEST(Layering, TheCheckerCatchesEachKind) {
  const fs::path root = fs::temp_directory_path() / ("ws_layering_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path src = root / "src";
  auto write = [&](const std::string& file, const std::string& text) {
    fs::create_directories((src / file).parent_path());
    std::ofstream(src / file) << text;
  };
  write("perf/a.h", "#pragma once\n#include \"econ/b.h\"\n#include \"core/table.h\"\n");
  write("econ/b.h", "#pragma once\n#include \"perf/c.h\"\n#include \"frontier/d.h\"\n");
  write("frontier/d.h", "#include \"econ/b.h\"\n");
  write("report/e.cpp", "#include \"core/table.h\"\n#include \"sim/f.h\"\n");
  write("gadgets/g.h", "\n");
  const auto v = violations(src);
  fs::remove_all(root);
  std::string all;
  for (const auto& s : v) all += s + "\n";
  EXPECT_EQ(v.size(), 4u) << all;
  EXPECT_NE(all.find("src/perf/a.h:2 includes econ/b.h: econ/ is a higher stage than perf/"), std::string::npos) << all;
  EXPECT_NE(all.find("src/perf/a.h:3 includes core/table.h: tables and plots are built in report/"), std::string::npos) << all;
  EXPECT_NE(all.find("econ/ and frontier/ include each other"), std::string::npos) << all;
  EXPECT_NE(all.find("src/gadgets/: a stage without a rank"), std::string::npos) << all;
}

}  // namespace
}  // namespace ws
