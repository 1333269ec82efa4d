#pragma once
// The wafer's mesh at core level: a region of R x C logical cores, the physical tiles under it (the region plus
// its share of spare columns), a defect map over the physical tiles, the repair that maps logical cores onto
// healthy tiles, and the routes messages take (dimension-ordered X then Y; around dead tiles where there are any).
// Facts (hops, ramps, link width, SRAM and MAC rates, clock) come from the catalog's WaferFabric; nothing here
// holds a hardware constant.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "hardware/chip.h"

namespace ws::fabric {

struct Coord {
  int row = 0;
  int col = 0;
  friend bool operator==(const Coord&, const Coord&) = default;
};

// A rectangle of logical cores. It fits a fabric either way round (the mesh is the same rotated).
struct Region {
  int rows = 0;
  int cols = 0;
  double cores() const { return static_cast<double>(rows) * cols; }
};

// Parses "RxC" (e.g. "762x1172"); InputError naming `field` otherwise.
Region parse_region(const std::string& text, const std::string& field);
// InputError naming `field` when the region is empty or larger than the chip's fabric (either orientation).
void check_region(const WaferFabric& fabric, const Region& region, const std::string& field);

// Spare columns a region of `cols` columns gets: its share of the chip's physical cores beyond the exposed fabric
// (cores_physical / (width x height) - 1), rounded up; 0 when the catalog publishes no physical count.
int spare_columns(const WaferFabric& fabric, int cols);

// Dead tiles (core and router) over a physical grid. Deterministic: the same seed gives the same map anywhere.
class DefectMap {
 public:
  DefectMap() = default;
  DefectMap(int rows, int cols);
  // Each tile dead with probability `density` in [0, 1), drawn from mt19937_64(seed) in row-major order.
  // InputError naming `field` for a density outside [0, 1).
  static DefectMap random(int rows, int cols, double density, std::uint64_t seed, const std::string& field);
  // "row,col" per line (0-based physical tile; '#' starts a comment); InputError naming file:line otherwise.
  static DefectMap from_file(const std::string& path, int rows, int cols);

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  bool dead(int row, int col) const { return dead_[static_cast<std::size_t>(row) * cols_ + col] != 0; }
  void set_dead(int row, int col);
  std::size_t count() const { return cells_.size(); }
  const std::vector<Coord>& cells() const { return cells_; }  // in the order they were set
  int dead_in_row(int row) const { return row_count_[row]; }
  std::string origin_field = "defect_density";  // the request field an unrepairable map is blamed on

 private:
  int rows_ = 0, cols_ = 0;
  std::vector<std::uint8_t> dead_;
  std::vector<int> row_count_;
  std::vector<Coord> cells_;
};

// A region on a chip: logical cores mapped onto healthy physical tiles, and the routes between them.
// Repair: in each physical row, logical column j sits on the j-th healthy tile (spare columns at the east end
// take up the shift); a row with more dead tiles than spares cannot be repaired (InputError naming the
// defect map's field). As on the wafer, software sees a clean logical mesh: messages route X then Y over logical
// links, and each logical link is wired over the physical tiles between its two cores, around dead ones; a link
// whose cores are not physical neighbours is longer (more hops), never shared with another logical link.
class Mesh {
 public:
  Mesh(const WaferFabric& fabric, Region region);                      // defect-free
  Mesh(const WaferFabric& fabric, Region region, DefectMap defects);  // defects over rows x (cols + spares)

  const WaferFabric& fabric() const { return fabric_; }
  const Region& region() const { return region_; }
  int spares() const { return spares_; }
  int physical_cols() const { return region_.cols + spares_; }
  const DefectMap& defects() const { return defects_; }
  bool defect_free() const { return defects_.count() == 0; }

  Coord physical(Coord logical) const;
  // Routers a message passes from tile `from` to tile `to`, both ends included: X then Y; each run of dead
  // tiles on that path is bypassed by the shortest detour (breadth-first, in a window widened until one exists).
  std::vector<Coord> route(Coord from, Coord to) const;
  // True when every route between the given logical cores, in order, is the straight single-hop one (a line
  // whose timing equals a defect-free line's; used to reuse one simulation for many lines).
  bool straight_line(const std::vector<Coord>& logical_cores) const;
  // Physical hops of the logical link between neighbouring logical cores a and b (1 where both sit on neighbouring
  // tiles), and the physical routers it passes.
  int link_hops(Coord a, Coord b) const;
  std::vector<Coord> link_routers(Coord a, Coord b) const;

 private:
  bool dead_in_box(int r0, int c0, int r1, int c1) const;
  std::vector<Coord> detour(Coord from, Coord to) const;

  WaferFabric fabric_;
  Region region_;
  int spares_ = 0;
  DefectMap defects_;
  std::vector<int> column_of_;  // rows x cols: physical column of logical (row, col); empty when defect-free
  mutable std::unordered_map<std::uint64_t, int> link_hops_;  // logical link -> physical hops, where not 1
};

// Wavelets (link words) a message of `bytes` takes: the cycles it occupies one link. Inline: the analytic model
// calls it millions of times in a sweep.
inline double wavelets(const WaferFabric& fabric, double bytes) {
  return bytes <= 0 ? 0.0 : std::ceil(bytes / fabric.link_bytes_per_cycle - 1e-12);
}

// Dimension-ordered routing: appends the routers after `from` up to `to`, X (columns) first, then Y.
void append_xy_path(std::vector<Coord>& path, Coord from, Coord to);

}  // namespace ws::fabric
