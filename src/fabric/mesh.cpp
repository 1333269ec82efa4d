#include "fabric/mesh.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <random>

#include "core/error.h"

namespace ws::fabric {

Region parse_region(const std::string& text, const std::string& field) {
  const auto x = text.find_first_of("xX");
  auto whole = [&](const std::string& part) {
    if (part.empty() || part.size() > 7 || part.find_first_not_of("0123456789") != std::string::npos)
      throw InputError(field, "expected RxC (two whole numbers of cores, e.g. 64x64); got '" + text + "'");
    return std::stoi(part);
  };
  if (x == std::string::npos) throw InputError(field, "expected RxC (two whole numbers of cores, e.g. 64x64); got '" + text + "'");
  return Region{whole(text.substr(0, x)), whole(text.substr(x + 1))};
}

void check_region(const WaferFabric& fabric, const Region& region, const std::string& field) {
  if (region.rows < 1 || region.cols < 1)
    throw InputError(field, fmt::format("expected at least 1x1 cores; got {}x{}", region.rows, region.cols));
  const double w = fabric.fabric_width_cores, h = fabric.fabric_height_cores;
  const bool fits = (region.rows <= h && region.cols <= w) || (region.rows <= w && region.cols <= h);
  if (!fits)
    throw InputError(field, fmt::format("expected a region inside the {:.0f}x{:.0f} fabric (either way round); got {}x{}",
                                        w, h, region.rows, region.cols));
}

int spare_columns(const WaferFabric& fabric, int cols) {
  const double exposed = fabric.fabric_width_cores * fabric.fabric_height_cores;
  if (fabric.cores_physical <= exposed) return 0;
  return static_cast<int>(std::ceil(cols * (fabric.cores_physical / exposed - 1.0) - 1e-9));
}

// ---- DefectMap ----

DefectMap::DefectMap(int rows, int cols)
    : rows_(rows), cols_(cols), dead_(static_cast<std::size_t>(rows) * cols, 0), row_count_(rows, 0) {}

void DefectMap::set_dead(int row, int col) {
  auto& cell = dead_[static_cast<std::size_t>(row) * cols_ + col];
  if (cell) return;
  cell = 1;
  ++row_count_[row];
  cells_.push_back({row, col});
}

DefectMap DefectMap::random(int rows, int cols, double density, std::uint64_t seed, const std::string& field) {
  if (!(density >= 0.0 && density < 1.0))
    throw InputError(field, fmt::format("expected a defect density in [0, 1) (a fraction of tiles); got {}", density));
  DefectMap map(rows, cols);
  map.origin_field = field;
  if (density == 0.0) return map;
  std::mt19937_64 generator(seed);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      // 53 random bits as a double in [0, 1): the same on every platform (std::bernoulli_distribution is not).
      const double u = static_cast<double>(generator() >> 11) * 0x1.0p-53;
      if (u < density) map.set_dead(r, c);
    }
  return map;
}

DefectMap DefectMap::from_file(const std::string& path, int rows, int cols) {
  std::ifstream in(path);
  if (!in) throw InputError("defect_file", "cannot read '" + path + "'");
  DefectMap map(rows, cols);
  map.origin_field = "defect_file";
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = fmt::format("{}:{}", path, number);
    if (number > 10'000'000) throw InputError(where, "expected at most 10,000,000 lines");
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line.erase(std::remove_if(line.begin(), line.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }),
               line.end());
    if (line.empty()) continue;
    const auto comma = line.find(',');
    auto whole = [&](const std::string& part, int limit, const char* what) {
      if (part.empty() || part.size() > 7 || part.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(where, "expected 'row,col' (two whole numbers); got '" + line + "'");
      const int value = std::stoi(part);
      if (value >= limit)
        throw InputError(where, fmt::format("expected a {} in [0, {}) (the region's physical tiles, spares included); got {}",
                                            what, limit, value));
      return value;
    };
    if (comma == std::string::npos) throw InputError(where, "expected 'row,col' (two whole numbers); got '" + line + "'");
    const int r = whole(line.substr(0, comma), rows, "row");
    const int c = whole(line.substr(comma + 1), cols, "column");
    map.set_dead(r, c);
  }
  return map;
}

// ---- Mesh ----

Mesh::Mesh(const WaferFabric& fabric, Region region)
    : fabric_(fabric), region_(region), spares_(spare_columns(fabric, region.cols)),
      defects_(region.rows, region.cols + spares_) {}

Mesh::Mesh(const WaferFabric& fabric, Region region, DefectMap defects)
    : fabric_(fabric), region_(region), spares_(spare_columns(fabric, region.cols)), defects_(std::move(defects)) {
  if (defects_.rows() != region.rows || defects_.cols() != physical_cols())
    throw std::invalid_argument(fmt::format("defect map is {}x{}, the region's physical tiles {}x{}", defects_.rows(),
                                            defects_.cols(), region.rows, physical_cols()));
  if (defect_free()) return;
  column_of_.assign(static_cast<std::size_t>(region.rows) * region.cols, 0);
  for (int r = 0; r < region.rows; ++r) {
    if (defects_.dead_in_row(r) > spares_)
      throw InputError(defects_.origin_field,
                       fmt::format("row {} of the {}x{} region has {} dead tiles but {} spare columns ({}); lower the "
                                   "density or use a smaller region",
                                   r, region.rows, region.cols, defects_.dead_in_row(r), spares_,
                                   fabric.cores_physical > 0 ? "the chip's cores_physical share"
                                                             : "the catalog publishes no cores_physical for this chip"));
    int j = 0;
    for (int c = 0; c < physical_cols() && j < region.cols; ++c)
      if (!defects_.dead(r, c)) column_of_[static_cast<std::size_t>(r) * region.cols + j++] = c;
  }
}

Coord Mesh::physical(Coord logical) const {
  if (column_of_.empty()) return logical;
  return {logical.row, column_of_[static_cast<std::size_t>(logical.row) * region_.cols + logical.col]};
}

bool Mesh::straight_line(const std::vector<Coord>& logical_cores) const {
  if (defect_free()) return true;
  for (std::size_t k = 1; k < logical_cores.size(); ++k) {
    const Coord a = physical(logical_cores[k - 1]), b = physical(logical_cores[k]);
    if (std::abs(a.row - b.row) + std::abs(a.col - b.col) != 1) return false;
  }
  return true;
}

int Mesh::link_hops(Coord a, Coord b) const {
  if (defect_free()) return 1;
  const Coord pa = physical(a), pb = physical(b);
  if (std::abs(pa.row - pb.row) + std::abs(pa.col - pb.col) == 1) return 1;
  const std::uint64_t key = (static_cast<std::uint64_t>(a.row) * static_cast<std::uint64_t>(region_.cols) +
                             static_cast<std::uint64_t>(a.col)) * 4u +
                            (b.col > a.col ? 0u : b.col < a.col ? 1u : b.row > a.row ? 2u : 3u);
  if (auto it = link_hops_.find(key); it != link_hops_.end()) return it->second;
  const int hops = static_cast<int>(route(pa, pb).size()) - 1;
  link_hops_.emplace(key, hops);
  return hops;
}

std::vector<Coord> Mesh::link_routers(Coord a, Coord b) const { return route(physical(a), physical(b)); }

void append_xy_path(std::vector<Coord>& path, Coord from, Coord to) {
  const int dc = to.col > from.col ? 1 : -1, dr = to.row > from.row ? 1 : -1;
  while (from.col != to.col) {
    from.col += dc;
    path.push_back(from);
  }
  while (from.row != to.row) {
    from.row += dr;
    path.push_back(from);
  }
}

std::vector<Coord> Mesh::route(Coord from, Coord to) const {
  std::vector<Coord> path;
  path.reserve(static_cast<std::size_t>(std::abs(from.row - to.row) + std::abs(from.col - to.col) + 1));
  path.push_back(from);
  append_xy_path(path, from, to);
  if (defect_free()) return path;
  bool any_dead = false;
  for (const auto& p : path) any_dead = any_dead || defects_.dead(p.row, p.col);
  if (!any_dead) return path;
  // Bypass each run of dead tiles: from the healthy router before it to the healthy one after it.
  std::vector<Coord> out;
  out.reserve(path.size() + 8);
  std::size_t k = 0;
  while (k < path.size()) {
    if (!defects_.dead(path[k].row, path[k].col)) {
      out.push_back(path[k++]);
      continue;
    }
    std::size_t end = k;
    while (end < path.size() && defects_.dead(path[end].row, path[end].col)) ++end;
    if (out.empty() || end == path.size())
      throw std::logic_error("a route starts or ends on a dead tile");  // endpoints are repaired cores
    const std::vector<Coord> around = detour(out.back(), path[end]);
    out.insert(out.end(), around.begin() + 1, around.end() - 1);
    k = end;
  }
  return out;
}

std::vector<Coord> Mesh::detour(Coord from, Coord to) const {
  const int rows = region_.rows, cols = physical_cols();
  for (int margin = 1;; margin *= 2) {
    const int r0 = std::max(0, std::min(from.row, to.row) - margin), r1 = std::min(rows - 1, std::max(from.row, to.row) + margin);
    const int c0 = std::max(0, std::min(from.col, to.col) - margin), c1 = std::min(cols - 1, std::max(from.col, to.col) + margin);
    const int h = r1 - r0 + 1, w = c1 - c0 + 1;
    std::vector<int> parent(static_cast<std::size_t>(h) * w, -1);
    auto index = [&](int r, int c) { return (r - r0) * w + (c - c0); };
    std::deque<Coord> queue{from};
    parent[index(from.row, from.col)] = index(from.row, from.col);
    static constexpr int step_r[] = {0, 0, 1, -1}, step_c[] = {1, -1, 0, 0};  // E, W, S, N: a fixed order
    bool found = false;
    while (!queue.empty() && !found) {
      const Coord p = queue.front();
      queue.pop_front();
      for (int d = 0; d < 4; ++d) {
        const int r = p.row + step_r[d], c = p.col + step_c[d];
        if (r < r0 || r > r1 || c < c0 || c > c1 || defects_.dead(r, c) || parent[index(r, c)] >= 0) continue;
        parent[index(r, c)] = index(p.row, p.col);
        if (r == to.row && c == to.col) {
          found = true;
          break;
        }
        queue.push_back({r, c});
      }
    }
    if (found) {
      std::vector<Coord> back;
      for (int i = index(to.row, to.col);; i = parent[i]) {
        back.push_back({r0 + i / w, c0 + i % w});
        if (i == index(from.row, from.col)) break;
      }
      return {back.rbegin(), back.rend()};
    }
    if (r0 == 0 && c0 == 0 && r1 == rows - 1 && c1 == cols - 1)
      throw InputError(defects_.origin_field, fmt::format("no healthy route from tile ({},{}) to ({},{}): the dead tiles "
                                                          "cut the region",
                                                          from.row, from.col, to.row, to.col));
  }
}

}  // namespace ws::fabric
