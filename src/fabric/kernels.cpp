#include "fabric/kernels.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include "core/error.h"

namespace ws::fabric {

const std::vector<std::string>& kernel_names() {
  static const std::vector<std::string> names = {"broadcast", "reduce", "allreduce", "gemv", "gemm", "attention", "moe", "layer"};
  return names;
}

namespace {

// One simulated line: a multicast along it (broadcast) or a reduction onto its first core.
struct Line {
  std::vector<Stream> at_core;    // broadcast: each core's stream once in the core (index 0: the source's)
  std::vector<Stream> at_router;  // broadcast: each core's stream at its router
  Stream root;                    // reduce: the first core's result
  CriticalPath critical;          // broadcast: to the last core in; reduce: to the root
  std::vector<Coord> routers;     // broadcast: the multicast's routers
  std::vector<int> delivery_at;   // broadcast: index in routers of core k's router (k >= 1)
  double bytes = 0;
};

// A line simulated at another place and time: streams shifted by `by` cycles, physical routers moved by
// `tiles`, logical ones by `cores`.
Line shifted_line(Line line, double by, Coord tiles, Coord cores) {
  for (auto& s : line.at_core) s = shifted(s, by);
  for (auto& s : line.at_router) s = shifted(s, by);
  line.root = shifted(line.root, by);
  line.critical = line.critical.translated(tiles.row, tiles.col);
  line.critical.cycles += by;
  line.critical.start.row += cores.row;
  line.critical.start.col += cores.col;
  for (auto& r : line.routers) {
    r.row += cores.row;
    r.col += cores.col;
  }
  return line;
}

// The path of a broadcast line up to its k-th core (its logical routers expanded to the physical ones).
CriticalPath prefix(const Mesh& mesh, const Line& line, int k, Coord source) {
  CriticalPath p;
  p.start = source;
  if (k <= 0 || line.delivery_at.empty()) return p;
  const int end = line.delivery_at[k - 1];
  p.bytes = line.bytes;
  p.messages = 1;
  p.routers.push_back(mesh.physical(line.routers[0]));
  for (int i = 1; i <= end; ++i) {
    const auto leg = mesh.link_routers(line.routers[i - 1], line.routers[i]);
    p.hops += static_cast<double>(leg.size()) - 1;
    p.routers.insert(p.routers.end(), leg.begin() + 1, leg.end());
  }
  return p;
}

class Composer {
 public:
  explicit Composer(const Mesh& mesh) : mesh_(mesh), f_(mesh.fabric()) {}
  const Mesh& mesh() const { return mesh_; }
  const WaferFabric& fabric() const { return f_; }

  Line broadcast_line(const std::vector<Coord>& cores, double bytes, Stream source, bool from_router) {
    const int n = static_cast<int>(cores.size());
    Line line;
    line.bytes = bytes;
    line.at_core.assign(n, source);
    line.at_router.assign(n, source);
    line.critical.start = cores[0];
    line.critical.cycles = source.tail;
    if (n == 1) return line;
    Key key{0, 0, bytes, n, from_router, 0, 0, {source.tail - source.head}};
    return cached(key, cores, source.head, [&] {
      EventSim sim(mesh_);
      std::vector<int> to;
      for (int k = 1; k < n; ++k) to.push_back(sim.add_task(cores[k], Stream{}, 1, 0));
      int message;
      if (from_router) {
        message = sim.add_router_message(cores[0], source, to, bytes);
      } else {
        const int root = sim.add_task(cores[0], source, 0, 0);
        message = sim.add_message(root, to, bytes);
      }
      sim.run();
      events_ += sim.events();
      int last = 1;
      for (int k = 1; k < n; ++k) {
        line.at_core[k] = sim.result(to[k - 1]);
        line.at_router[k] = sim.at_router(message, k - 1);
        if (line.at_core[k].tail > line.at_core[last].tail) last = k;
      }
      line.routers = sim.path(message);
      line.delivery_at = sim.delivery_at(message);
      line.critical = prefix(mesh_, line, last, cores[0]);
      line.critical.cycles = line.at_core[last].tail;
      return line;
    });
  }

  Line reduce_line(const std::vector<Coord>& cores, double bytes, const std::vector<Stream>& local, ReduceAlgorithm algorithm) {
    const int n = static_cast<int>(cores.size());
    Line line;
    line.bytes = bytes;
    line.root = local[0];
    line.critical.start = cores[0];
    line.critical.cycles = local[0].tail;
    if (n == 1) return line;
    Key key{1, static_cast<int>(algorithm), bytes, n, false, 0, 0, {}};
    key.relative.reserve(2 * n);
    for (const auto& s : local) {
      key.relative.push_back(s.head - local[0].head);
      key.relative.push_back(s.tail - local[0].head);
    }
    return cached(key, cores, local[0].head, [&] {
      EventSim sim(mesh_);
      const double op = f_.core_op_latency_cycles;
      std::vector<int> inputs(n, 0), target(n, -1);
      if (algorithm == ReduceAlgorithm::chain) {
        for (int i = 1; i < n; ++i) target[i] = i - 1;
      } else if (algorithm == ReduceAlgorithm::tree) {
        for (int i = 1; i < n; ++i) target[i] = i - (i & -i);  // round r: i = 2^r (2m + 1) sends 2^r back
      } else {
        const int S = two_phase_group(n);
        for (int i = 1; i < n; ++i) target[i] = i % S != 0 ? i - 1 : i - S;  // inside the group, then leader to leader
      }
      for (int i = 1; i < n; ++i) ++inputs[target[i]];
      std::vector<int> task(n);
      for (int i = 0; i < n; ++i) task[i] = sim.add_task(cores[i], local[i], inputs[i], inputs[i] > 0 ? op : 0);
      for (int i = 1; i < n; ++i) sim.add_message(task[i], {task[target[i]]}, bytes);
      sim.run();
      events_ += sim.events();
      line.root = sim.result(task[0]);
      line.critical = sim.critical_path(task[0]);
      return line;
    });
  }

  // Each of n cores sends a tile to the next in the interleaved ring (evens east, odds back west: at most 2 hops).
  // Returns the latest arrival.
  Line shift_line(const std::vector<Coord>& cores, double bytes) {
    const int n = static_cast<int>(cores.size());
    Line line;
    line.bytes = bytes;
    line.critical.start = cores[0];
    if (n == 1) return line;
    Key key{2, 0, bytes, n, false, 0, 0, {}};
    return cached(key, cores, 0, [&] {
      std::vector<int> ring;
      for (int k = 0; k < n; k += 2) ring.push_back(k);
      for (int k = (n - 1) % 2 == 1 ? n - 1 : n - 2; k >= 1; k -= 2) ring.push_back(k);
      EventSim sim(mesh_);
      std::vector<int> send(n), receive(n);
      for (int k = 0; k < n; ++k) {
        send[k] = sim.add_task(cores[k], Stream{}, 0, 0);
        receive[k] = sim.add_task(cores[k], Stream{}, 1, 0);
      }
      for (int k = 0; k < n; ++k) sim.add_message(send[ring[k]], {receive[ring[(k + 1) % n]]}, bytes);
      sim.run();
      events_ += sim.events();
      int last = 0;
      for (int k = 0; k < n; ++k)
        if (sim.result(receive[k]).tail > sim.result(receive[last]).tail) last = k;
      line.root = sim.result(receive[last]);
      line.critical = sim.critical_path(receive[last]);
      return line;
    });
  }

  void count(KernelResult& r) const {
    r.events = events_;
    r.lines_simulated = simulated_;
    r.lines_reused = reused_;
  }

 private:
  struct Key {
    int kind, algorithm;
    double bytes;
    int n;
    bool from_router;
    int dr, dc;
    std::vector<double> relative;
    bool operator<(const Key& o) const {
      return std::tie(kind, algorithm, bytes, n, from_router, dr, dc, relative) <
             std::tie(o.kind, o.algorithm, o.bytes, o.n, o.from_router, o.dr, o.dc, o.relative);
    }
  };

  template <typename Simulate>
  Line cached(Key key, const std::vector<Coord>& cores, double offset, Simulate simulate) {
    const bool straight = mesh_.straight_line(cores);
    const Coord first = mesh_.physical(cores[0]), second = mesh_.physical(cores[1]);
    key.dr = second.row - first.row;
    key.dc = second.col - first.col;
    if (straight) {
      if (auto it = cache_.find(key); it != cache_.end()) {
        ++reused_;
        const Coord tiles{first.row - it->second.tile.row, first.col - it->second.tile.col};
        const Coord moved{cores[0].row - it->second.core.row, cores[0].col - it->second.core.col};
        return shifted_line(it->second.line, offset - it->second.offset, tiles, moved);
      }
    }
    ++simulated_;
    Line line = simulate();
    if (straight) cache_.emplace(std::move(key), Entry{line, first, cores[0], offset});
    return line;
  }

  struct Entry {
    Line line;
    Coord tile;     // the physical tile of the line's first core
    Coord core;     // the line's first logical core
    double offset;  // the time it was simulated at
  };

  const Mesh& mesh_;
  const WaferFabric& f_;
  std::map<Key, Entry> cache_;
  std::uint64_t events_ = 0, simulated_ = 0, reused_ = 0;
};

struct Grid {
  int rows = 0, cols = 0;
  std::vector<Stream> at;
  Grid(int r, int c, Stream fill = {}) : rows(r), cols(c), at(static_cast<std::size_t>(r) * c, fill) {}
  Stream& operator()(int i, int j) { return at[static_cast<std::size_t>(i) * cols + j]; }
  const Stream& operator()(int i, int j) const { return at[static_cast<std::size_t>(i) * cols + j]; }
};

Stream after_ramp_out(const WaferFabric& f, Stream s, double bytes) {
  return {s.head + f.ramp_latency_cycles, std::max(s.tail, s.head + wavelets(f, bytes)) + f.ramp_latency_cycles};
}

// A broadcast from core `o` over rows x cols: a multicast east along the first row whose routers fork it south
// down every column. `target` >= 0 asks for the path to that core (row-major index) instead of to the last one.
Grid broadcast2d(Composer& c, Coord o, int rows, int cols, double bytes, Stream source, CriticalPath* path,
                 long target = -1) {
  Grid grid(rows, cols, source);
  std::vector<Coord> row0;
  for (int j = 0; j < cols; ++j) row0.push_back({o.row, o.col + j});
  const Line row = c.broadcast_line(row0, bytes, source, false);
  auto column_line = [&](int j) {
    std::vector<Coord> column;
    for (int i = 0; i < rows; ++i) column.push_back({o.row + i, o.col + j});
    const Stream fork = j == 0 ? after_ramp_out(c.fabric(), source, bytes) : row.at_router[j];
    return c.broadcast_line(column, bytes, fork, true);
  };
  for (int j = 0; j < cols; ++j) {
    grid(0, j) = row.at_core[j];
    if (rows == 1) continue;
    const Line col = column_line(j);
    for (int i = 1; i < rows; ++i) grid(i, j) = col.at_core[i];
  }
  if (path) {
    long best = target;
    if (best < 0) {
      best = 0;
      for (long k = 0; k < static_cast<long>(grid.at.size()); ++k)
        if (grid.at[k].tail > grid.at[best].tail) best = k;
    }
    const int bi = static_cast<int>(best / cols), bj = static_cast<int>(best % cols);
    *path = prefix(c.mesh(), row, bj, o);
    if (bi > 0) {
      CriticalPath down = prefix(c.mesh(), column_line(bj), bi, o);
      down.bytes = 0;  // the same data, forked by the router: its bytes count once
      down.messages = 0;
      if (!path->routers.empty() && !down.routers.empty()) down.routers.erase(down.routers.begin());
      path->append(down);
    }
    path->start = o;
    path->cycles = grid.at[best].tail;
  }
  return grid;
}

// Reduces rows x cols onto core `o`: every row onto its first core, then the first column onto `o`.
Stream reduce2d(Composer& c, Coord o, int rows, int cols, double bytes, const Grid& local, ReduceAlgorithm algorithm,
                CriticalPath* path) {
  std::vector<Stream> roots(rows);
  std::vector<CriticalPath> row_paths(rows);
  for (int i = 0; i < rows; ++i) {
    std::vector<Coord> cores;
    std::vector<Stream> in;
    for (int j = 0; j < cols; ++j) {
      cores.push_back({o.row + i, o.col + j});
      in.push_back(local(i, j));
    }
    const Line line = c.reduce_line(cores, bytes, in, algorithm);
    roots[i] = line.root;
    row_paths[i] = line.critical;
  }
  std::vector<Coord> column;
  for (int i = 0; i < rows; ++i) column.push_back({o.row + i, o.col});
  const Line col = c.reduce_line(column, bytes, roots, algorithm);
  if (path) {
    const int i = std::clamp(col.critical.start.row - o.row, 0, rows - 1);
    *path = row_paths[i];
    path->append(col.critical);
    path->cycles = col.root.tail;
  }
  return col.root;
}

double max_tail(const std::vector<Stream>& v) {
  double m = -std::numeric_limits<double>::infinity();
  for (const auto& s : v) m = std::max(m, s.tail);
  return m;
}

void check_sram(const WaferFabric& f, double bytes_per_core, const std::string& field, const std::string& what) {
  if (bytes_per_core > f.sram_bytes_per_core)
    throw InputError(field, fmt::format("{} needs {:.1f} KiB per core; a core has {:.0f} KiB of SRAM: use a larger "
                                        "region or a smaller size",
                                        what, bytes_per_core / 1024, f.sram_bytes_per_core / 1024));
}

// MeshGEMV on rows x cols at `o`. Not transposed: x's slice j enters at the top of column j, is broadcast down
// it, rows reduce y's slices onto the first column (output: one stream per row). Transposed: x's slice i enters at
// the start of row i, rows broadcast, columns reduce onto the first row (output: one stream per column). Chaining
// the two orientations hands each GEMV's output to the next without moving it.
std::vector<Stream> gemv_phase(Composer& c, Coord o, int rows, int cols, bool transposed, GemvShape shape,
                               ReduceAlgorithm algorithm, const std::vector<Stream>& in, CriticalPath* path,
                               const std::string& field) {
  const WaferFabric& f = c.fabric();
  const int lines = transposed ? rows : cols, positions = transposed ? cols : rows;
  auto at = [&](int line, int pos) { return transposed ? Coord{o.row + line, o.col + pos} : Coord{o.row + pos, o.col + line}; };
  const double k_slice = std::ceil(shape.k / lines), n_slice = std::ceil(shape.n / positions);
  check_sram(f, k_slice * n_slice * shape.element_bytes, field,
             fmt::format("a [{:.0f}] x [{:.0f},{:.0f}] GEMV on {}x{} cores", shape.k, shape.k, shape.n, rows, cols));
  const double x_bytes = k_slice * shape.element_bytes, y_bytes = n_slice * shape.element_bytes;
  const double tile = mac_cycles(f, k_slice * n_slice, shape.element_bytes);
  Grid done(lines, positions);
  for (int b = 0; b < lines; ++b) {
    std::vector<Coord> cores;
    for (int p = 0; p < positions; ++p) cores.push_back(at(b, p));
    const Line line = c.broadcast_line(cores, x_bytes, in[b], false);
    for (int p = 0; p < positions; ++p) {
      const double end = line.at_core[p].tail + tile;
      done(b, p) = {end, end};
    }
  }
  std::vector<Stream> out(positions);
  std::vector<Line> reduced(positions);
  int last = 0;
  for (int r = 0; r < positions; ++r) {
    std::vector<Coord> cores;
    std::vector<Stream> local;
    for (int b = 0; b < lines; ++b) {
      cores.push_back(at(b, r));
      local.push_back(done(b, r));
    }
    reduced[r] = c.reduce_line(cores, y_bytes, local, algorithm);
    out[r] = reduced[r].root;
    if (out[r].tail > out[last].tail) last = r;
  }
  if (path) {
    const Coord start = reduced[last].critical.start;
    const int b = std::clamp(transposed ? start.row - o.row : start.col - o.col, 0, lines - 1);
    std::vector<Coord> cores;
    for (int p = 0; p < positions; ++p) cores.push_back(at(b, p));
    *path = prefix(c.mesh(), c.broadcast_line(cores, x_bytes, in[b], false), last, at(b, 0));
    path->append(reduced[last].critical);
    path->cycles = out[last].tail;
  }
  return out;
}

// Decode attention of one KV head's band: the query group broadcast over the band, local scores and weighted V,
// the partial outputs reduced onto the band's corner.
Stream attention_band(Composer& c, Coord o, int rows, int cols, Region whole, const AttentionShape& a, Stream query,
                      ReduceAlgorithm algorithm, CriticalPath* path) {
  const WaferFabric& f = c.fabric();
  const double compute = attention_compute_cycles(f, whole, a);
  const Grid arrived = broadcast2d(c, o, rows, cols, attention_query_bytes(a), query, nullptr);
  Grid local(rows, cols);
  for (std::size_t k = 0; k < arrived.at.size(); ++k) local.at[k] = {arrived.at[k].tail + compute, arrived.at[k].tail + compute};
  CriticalPath reduce_path;
  const Stream out = reduce2d(c, o, rows, cols, attention_partial_bytes(a), local, algorithm, &reduce_path);
  if (path) {
    const long target = static_cast<long>(reduce_path.start.row - o.row) * cols + (reduce_path.start.col - o.col);
    broadcast2d(c, o, rows, cols, attention_query_bytes(a), query, path, target);
    path->append(reduce_path);
    path->cycles = out.tail;
  }
  return out;
}

KernelResult finish(Composer& c, std::string name, double cycles, double analytic, CriticalPath path) {
  KernelResult r;
  r.kernel = std::move(name);
  r.simulated_cycles = cycles;
  r.simulated_s = seconds(c.fabric(), cycles);
  r.analytic_cycles = analytic;
  r.analytic_s = seconds(c.fabric(), analytic);
  path.cycles = cycles;
  r.critical = std::move(path);
  c.count(r);
  return r;
}

const LayerSpec& representative_layer(const ModelSpec& model) {
  if (model.layers.empty()) throw InputError("model", "'" + model.name + "' has no per-layer config to simulate");
  for (const auto& layer : model.layers)
    if (layer.ffn.moe && !layer.multi_token_prediction) return layer;
  return model.layers.front();
}

// Sends each row's slice (at the first column) to a core of a destination region, one message each, and returns
// when each destination row has all its slices. `dest(r)` names the destination core of source row r.
template <typename Dest>
std::vector<Stream> move_slices(Composer& c, const std::vector<Coord>& sources, const std::vector<Stream>& ready,
                                const std::vector<Coord>& destinations, Dest dest, double bytes, std::uint64_t& events,
                                CriticalPath* path) {
  EventSim sim(c.mesh());
  std::vector<int> inputs(destinations.size(), 0);
  for (std::size_t r = 0; r < sources.size(); ++r)
    if (!(sources[r] == destinations[dest(r)])) ++inputs[dest(r)];
  std::vector<int> to(destinations.size());
  std::vector<Stream> local(destinations.size(), Stream{0, 0});
  for (std::size_t r = 0; r < sources.size(); ++r)
    if (sources[r] == destinations[dest(r)]) local[dest(r)] = ready[r];
  for (std::size_t d = 0; d < destinations.size(); ++d) to[d] = sim.add_task(destinations[d], local[d], inputs[d], 0);
  for (std::size_t r = 0; r < sources.size(); ++r) {
    if (sources[r] == destinations[dest(r)]) continue;
    const int from = sim.add_task(sources[r], ready[r], 0, 0);
    sim.add_message(from, {to[dest(r)]}, bytes);
  }
  sim.run();
  events += sim.events();
  std::vector<Stream> out(destinations.size());
  std::size_t last = 0;
  for (std::size_t d = 0; d < destinations.size(); ++d) {
    out[d] = sim.result(to[d]);
    if (out[d].tail > out[last].tail) last = d;
  }
  if (path) *path = sim.critical_path(to[last]);
  return out;
}

struct Experts {
  int slots = 0, grid_cols = 0, rows = 0, cols = 0;  // sub-region of each expert slot
  Coord origin(int slot) const { return {(slot / grid_cols) * rows, (slot % grid_cols) * cols}; }
};

Experts expert_layout(Region region, int slots) {
  Experts e;
  e.slots = slots;
  e.grid_cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(slots * static_cast<double>(region.cols) / region.rows))));
  e.grid_cols = std::min(e.grid_cols, region.cols);
  const int grid_rows = (slots + e.grid_cols - 1) / e.grid_cols;
  e.rows = region.rows / grid_rows;
  e.cols = region.cols / e.grid_cols;
  if (e.rows < 1 || e.cols < 1)
    throw InputError("region", fmt::format("{} expert regions do not fit {}x{} cores; use a larger region", slots,
                                           region.rows, region.cols));
  return e;
}

// The MoE block of one token: its slices (one per region row, at the first column) dispatched to the experts it
// is routed to (chosen by `seed`), each expert's gate/up and down GEMVs in its own sub-region, the outputs sent
// back and summed per row. Returns one stream per region row.
std::vector<Stream> moe_phase(Composer& c, const ModelSpec& model, const LayerSpec& layer, std::uint64_t seed,
                              ReduceAlgorithm algorithm, const std::vector<Stream>& in, double element_bytes,
                              std::uint64_t& events, CriticalPath* path, double* analytic) {
  const Region region = c.mesh().region();
  const WaferFabric& f = c.fabric();
  const FfnSpec& ffn = layer.ffn;
  const int routed = ffn.experts, k = std::min(ffn.experts_per_token, ffn.experts);
  const bool shared = ffn.shared_intermediate > 0;
  const Experts layout = expert_layout(region, routed + (shared ? 1 : 0));
  // The experts this token goes to: k distinct of `routed`, from mt19937_64(seed) (partial Fisher-Yates).
  std::vector<int> order(routed);
  for (int e = 0; e < routed; ++e) order[e] = e;
  std::mt19937_64 generator(seed);
  for (int i = 0; i < k; ++i) std::swap(order[i], order[i + static_cast<int>(generator() % static_cast<std::uint64_t>(routed - i))]);
  std::vector<std::pair<int, double>> active;  // slot, intermediate width
  for (int i = 0; i < k; ++i) active.emplace_back(order[i], ffn.expert_intermediate);
  if (shared) active.emplace_back(routed, ffn.shared_intermediate);
  std::sort(active.begin(), active.end());

  const double hidden = model.hidden_size;
  const double slice_bytes = std::ceil(hidden / region.rows) * element_bytes;
  std::vector<Coord> sources;
  for (int r = 0; r < region.rows; ++r) sources.push_back({r, 0});
  std::vector<std::vector<Stream>> back(active.size());
  std::vector<CriticalPath> paths(active.size());
  double worst_analytic = 0;
  std::size_t worst = 0;
  for (std::size_t x = 0; x < active.size(); ++x) {
    const Coord o = layout.origin(active[x].first);
    std::vector<Coord> entry;
    for (int i = 0; i < layout.rows; ++i) entry.push_back({o.row + i, o.col});
    CriticalPath dispatch_path;
    const std::vector<Stream> arrived = move_slices(
        c, sources, in, entry, [&](std::size_t r) { return static_cast<std::size_t>(r * layout.rows / region.rows); },
        slice_bytes, events, &dispatch_path);
    const GemvShape up{hidden, 2 * active[x].second, element_bytes}, down{active[x].second, hidden, element_bytes};
    CriticalPath up_path, down_path;
    const auto mid = gemv_phase(c, o, layout.rows, layout.cols, true, up, algorithm, arrived, &up_path, "region");
    back[x] = gemv_phase(c, o, layout.rows, layout.cols, false, down, algorithm, mid, &down_path, "region");
    paths[x] = dispatch_path;
    paths[x].append(up_path);
    paths[x].append(down_path);
    const Region sub{layout.rows, layout.cols};
    const double a = 2 * f.ramp_latency_cycles + (region.rows + o.col) * f.hop_latency_cycles + wavelets(f, slice_bytes) +
                     gemv_cycles(f, algorithm, Region{sub.cols, sub.rows}, up) + gemv_cycles(f, algorithm, sub, down);
    if (a > worst_analytic) worst_analytic = a;
    if (max_tail(back[x]) > max_tail(back[worst])) worst = x;
  }
  // Each region row sums the k (+ shared) expert outputs for its slice.
  EventSim sim(c.mesh());
  const double op = f.core_op_latency_cycles;
  std::vector<int> sum(region.rows);
  for (int r = 0; r < region.rows; ++r) sum[r] = sim.add_task({r, 0}, Stream{0, 0}, static_cast<int>(active.size()), op);
  for (std::size_t x = 0; x < active.size(); ++x) {
    const Coord o = layout.origin(active[x].first);
    std::vector<int> senders(layout.rows);
    for (int i = 0; i < layout.rows; ++i) senders[i] = sim.add_task({o.row + i, o.col}, back[x][i], 0, 0);
    for (int r = 0; r < region.rows; ++r) {
      const int from = senders[r * layout.rows / region.rows];
      sim.add_message(from, {sum[r]}, slice_bytes);
    }
  }
  sim.run();
  events += sim.events();
  std::vector<Stream> out(region.rows);
  int last = 0;
  for (int r = 0; r < region.rows; ++r) {
    out[r] = sim.result(sum[r]);
    if (out[r].tail > out[last].tail) last = r;
  }
  if (path) {
    *path = paths[worst];
    path->append(sim.critical_path(sum[last]));
    path->cycles = out[last].tail;
  }
  if (analytic)
    *analytic = worst_analytic + 2 * f.ramp_latency_cycles + (region.rows + region.cols) * f.hop_latency_cycles +
                wavelets(f, slice_bytes) + op;
  return out;
}

}  // namespace

AttentionShape attention_shape(const ModelSpec& model, double context_tokens) {
  const LayerSpec& layer = representative_layer(model);
  AttentionShape a;
  a.heads = model.attention.heads;
  a.kv_heads = std::max(1, model.attention.kv_heads);
  a.head_dim = model.attention.head_dim;
  a.context_tokens = layer.window_tokens > 0 ? std::min(context_tokens, layer.window_tokens) : context_tokens;
  if (a.heads <= 0 || a.head_dim <= 0) throw InputError("model", "'" + model.name + "' has no attention heads to simulate");
  return a;
}

KernelResult broadcast_kernel(const Mesh& mesh, double bytes) {
  Composer c(mesh);
  const Region g = mesh.region();
  CriticalPath path;
  const Grid grid = broadcast2d(c, {0, 0}, g.rows, g.cols, bytes, Stream{0, 0}, &path);
  double end = 0;
  for (const auto& s : grid.at) end = std::max(end, s.tail);
  return finish(c, "broadcast", end, broadcast_cycles(mesh.fabric(), g, bytes), path);
}

KernelResult reduce_kernel(const Mesh& mesh, double bytes, ReduceAlgorithm algorithm) {
  Composer c(mesh);
  const Region g = mesh.region();
  CriticalPath path;
  const Stream out = reduce2d(c, {0, 0}, g.rows, g.cols, bytes, Grid(g.rows, g.cols, Stream{0, 0}), algorithm, &path);
  return finish(c, "reduce", out.tail, reduce_cycles(mesh.fabric(), algorithm, g, bytes), path);
}

KernelResult allreduce_kernel(const Mesh& mesh, double bytes, ReduceAlgorithm algorithm) {
  Composer c(mesh);
  const Region g = mesh.region();
  CriticalPath path, down;
  const Stream reduced = reduce2d(c, {0, 0}, g.rows, g.cols, bytes, Grid(g.rows, g.cols, Stream{0, 0}), algorithm, &path);
  const Grid grid = broadcast2d(c, {0, 0}, g.rows, g.cols, bytes, reduced, &down);
  path.append(down);
  double end = reduced.tail;
  for (const auto& s : grid.at) end = std::max(end, s.tail);
  return finish(c, "allreduce", end, allreduce_cycles(mesh.fabric(), algorithm, g, bytes), path);
}

KernelResult gemv_kernel(const Mesh& mesh, GemvShape shape, ReduceAlgorithm algorithm) {
  Composer c(mesh);
  const Region g = mesh.region();
  CriticalPath path;
  const auto out = gemv_phase(c, {0, 0}, g.rows, g.cols, false, shape, algorithm, std::vector<Stream>(g.cols, Stream{0, 0}),
                              &path, "size");
  return finish(c, "gemv", max_tail(out), gemv_cycles(mesh.fabric(), algorithm, g, shape), path);
}

KernelResult gemm_kernel(const Mesh& mesh, MatmulShape shape) {
  Composer c(mesh);
  const WaferFabric& f = mesh.fabric();
  const int p = std::min(mesh.region().rows, mesh.region().cols);
  const double a_bytes = std::ceil(shape.m / p) * std::ceil(shape.k / p) * shape.element_bytes;
  const double b_bytes = std::ceil(shape.k / p) * std::ceil(shape.n / p) * shape.element_bytes;
  const double c_bytes = std::ceil(shape.m / p) * std::ceil(shape.n / p) * shape.element_bytes;
  check_sram(f, 2 * a_bytes + 2 * b_bytes + c_bytes, "size",
             fmt::format("a {0:.0f}x{0:.0f}x{0:.0f} MeshGEMM on {1}x{1} cores (A and B tiles double-buffered, C)", shape.m, p));
  // Every step is the same: simulate one step's shifts (each row's A tiles, each column's B tiles), then compose.
  double shift = 0;
  CriticalPath path;
  for (int line = 0; line < p; ++line)
    for (int axis = 0; axis < 2; ++axis) {
      std::vector<Coord> cores;
      for (int q = 0; q < p; ++q) cores.push_back(axis == 0 ? Coord{line, q} : Coord{q, line});
      const Line l = c.shift_line(cores, axis == 0 ? a_bytes : b_bytes);
      if (l.root.tail > shift || (line == 0 && axis == 0)) {
        shift = std::max(shift, l.root.tail);
        path = l.critical;
      }
    }
  const double tile = gemm_tile_cycles(f, p, shape);
  const double cycles = (p - 1) * std::max(tile, shift) + tile;
  return finish(c, "gemm", cycles, gemm_cycles(f, mesh.region(), shape), path);
}

KernelResult attention_kernel(const Mesh& mesh, const AttentionShape& a, ReduceAlgorithm algorithm) {
  Composer c(mesh);
  const Region g = mesh.region();
  const WaferFabric& f = mesh.fabric();
  if (g.cols < a.kv_heads)
    throw InputError("region", fmt::format("decode attention puts one KV head per column band: {} KV heads need at least "
                                           "{} columns; got {}",
                                           a.kv_heads, a.kv_heads, g.cols));
  const int band = attention_band_cols(g, a);
  check_sram(f, attention_tokens_per_core(g, a) * 2 * a.head_dim * a.element_bytes, "size",
             fmt::format("a KV cache of {:.0f} tokens ({} KV heads x {}) on {}x{} cores", a.context_tokens, a.kv_heads,
                         a.head_dim, g.rows, g.cols));
  double end = 0;
  CriticalPath path;
  for (int b = 0; b < a.kv_heads; ++b) {
    CriticalPath p;
    const Stream out = attention_band(c, {0, b * band}, g.rows, band, g, a, Stream{0, 0}, algorithm, &p);
    if (out.tail > end || b == 0) {
      end = std::max(end, out.tail);
      path = p;
    }
  }
  return finish(c, "attention", end, attention_cycles(f, algorithm, g, a), path);
}

KernelResult moe_kernel(const Mesh& mesh, const ModelSpec& model, std::uint64_t seed, ReduceAlgorithm algorithm) {
  const LayerSpec& layer = representative_layer(model);
  if (!layer.ffn.moe) throw InputError("model", "'" + model.name + "' has no MoE layer; --kernel moe needs a mixture-of-experts model");
  Composer c(mesh);
  std::uint64_t events = 0;
  CriticalPath path;
  double analytic = 0;
  const auto out = moe_phase(c, model, layer, seed, algorithm, std::vector<Stream>(mesh.region().rows, Stream{0, 0}), 2,
                             events, &path, &analytic);
  KernelResult r = finish(c, "moe", max_tail(out), analytic, path);
  r.events += events;
  return r;
}

KernelResult layer_kernel(const Mesh& mesh, const ModelSpec& model, double context_tokens, std::uint64_t seed,
                          ReduceAlgorithm algorithm) {
  const LayerSpec& layer = representative_layer(model);
  const AttentionShape a = attention_shape(model, context_tokens);
  const Region g = mesh.region();
  const WaferFabric& f = mesh.fabric();
  const double eb = a.element_bytes, hidden = model.hidden_size;
  const int v_dim = model.attention.v_head_dim > 0 ? model.attention.v_head_dim : a.head_dim;
  if (g.cols < a.kv_heads)
    throw InputError("region", fmt::format("{} KV heads need at least {} columns (one band each); got {}", a.kv_heads,
                                           a.kv_heads, g.cols));
  // All of the layer's weights and its KV cache live on the region at once (WaferLLM keeps each layer resident).
  const double q_dim = static_cast<double>(a.heads) * a.head_dim, kv_dim = static_cast<double>(a.kv_heads) * (a.head_dim + v_dim);
  const double qkv_n = q_dim + kv_dim, o_k = static_cast<double>(a.heads) * v_dim;
  const FfnSpec& ffn = layer.ffn;
  const double ffn_params = ffn.moe ? (ffn.experts * ffn.expert_intermediate + ffn.shared_intermediate) * 3 * hidden +
                                          ffn.experts * hidden
                                    : 3 * hidden * ffn.dense_intermediate;
  const double weight_bytes = (hidden * qkv_n + o_k * hidden + ffn_params) * eb;
  const double kv_bytes = a.context_tokens * kv_dim * eb;
  check_sram(f, (weight_bytes + kv_bytes) / g.cores(), "region",
             fmt::format("one {} layer ({:.2f} GB of weights, {:.2f} GB of KV at {:.0f} tokens) on {}x{} cores", model.name,
                         weight_bytes / 1e9, kv_bytes / 1e9, a.context_tokens, g.rows, g.cols));
  Composer c(mesh);
  std::uint64_t extra_events = 0;
  KernelResult r;
  CriticalPath path;
  double analytic = 0;
  auto phase = [&](const std::string& name, double end, double closed_form, const CriticalPath& p) {
    analytic += closed_form;
    r.phases.push_back({name, end, analytic});
    path.append(p);
  };
  // 1. q, k, v: x enters along the top row.
  CriticalPath p;
  const auto qkv = gemv_phase(c, {0, 0}, g.rows, g.cols, false, GemvShape{hidden, qkv_n, eb}, algorithm,
                              std::vector<Stream>(g.cols, Stream{0, 0}), &p, "region");
  phase("qkv", max_tail(qkv), gemv_cycles(f, algorithm, g, GemvShape{hidden, qkv_n, eb}), p);
  // 2. Each KV head's queries gathered at its band's corner (row i holds q's elements [i, i + 1) x qkv_n / R).
  const int band = attention_band_cols(g, a);
  const double group = static_cast<double>(a.heads) / a.kv_heads * a.head_dim;
  std::vector<Coord> rows_first, corners;
  for (int i = 0; i < g.rows; ++i) rows_first.push_back({i, 0});
  for (int b = 0; b < a.kv_heads; ++b) corners.push_back({0, b * band});
  const double per_row = std::ceil(qkv_n / g.rows);
  std::vector<Coord> gather_sources;
  std::vector<Stream> gather_ready;
  std::vector<std::size_t> gather_dest;
  for (int i = 0; i < g.rows; ++i) {
    const double lo = i * per_row, hi = std::min(q_dim, (i + 1) * per_row);
    if (lo >= q_dim) break;
    const int b = std::min(a.kv_heads - 1, static_cast<int>(lo / group));
    gather_sources.push_back(rows_first[i]);
    gather_ready.push_back(qkv[i]);
    gather_dest.push_back(static_cast<std::size_t>(b));
    (void)hi;
  }
  const auto queries = move_slices(c, gather_sources, gather_ready, corners, [&](std::size_t r) { return gather_dest[r]; },
                                   per_row * eb, extra_events, &p);
  phase("gather queries", max_tail(queries), attention_gather_cycles(f, g, a, qkv_n), p);
  // 3. Attention in each band.
  std::vector<Stream> heads(a.kv_heads);
  CriticalPath worst_band;
  for (int b = 0; b < a.kv_heads; ++b) {
    CriticalPath bp;
    heads[b] = attention_band(c, corners[b], g.rows, band, g, a, queries[b], algorithm, &bp);
    if (b == 0 || heads[b].tail > max_tail(std::vector<Stream>(heads.begin(), heads.begin() + b))) worst_band = bp;
  }
  phase("attention", max_tail(heads), attention_cycles(f, algorithm, g, a), worst_band);
  // 4. Each band's output spread along the top row over its columns: the O projection's input slices.
  std::vector<Stream> o_in(g.cols);
  for (int b = 0; b < a.kv_heads; ++b) {
    const int first = b * band, last = b + 1 == a.kv_heads ? g.cols : first + band;
    std::vector<Coord> cores;
    for (int j = first; j < last; ++j) cores.push_back({0, j});
    const Line line = c.broadcast_line(cores, group * eb, heads[b], false);
    for (int j = first; j < last; ++j) o_in[j] = line.at_core[j - first];
  }
  phase("spread heads", max_tail(o_in), attention_spread_cycles(f, g, a), CriticalPath{});
  // 5. Output projection, then the MLP (transposed, then not) or the MoE block.
  const auto h = gemv_phase(c, {0, 0}, g.rows, g.cols, false, GemvShape{o_k, hidden, eb}, algorithm, o_in, &p, "region");
  phase("o_proj", max_tail(h), gemv_cycles(f, algorithm, g, GemvShape{o_k, hidden, eb}), p);
  std::vector<Stream> out;
  if (ffn.moe) {
    double moe_analytic = 0;
    out = moe_phase(c, model, layer, seed, algorithm, h, eb, extra_events, &p, &moe_analytic);
    phase("moe", max_tail(out), moe_analytic, p);
  } else {
    const GemvShape up{hidden, 2 * ffn.dense_intermediate, eb}, down{ffn.dense_intermediate, hidden, eb};
    const auto mid = gemv_phase(c, {0, 0}, g.rows, g.cols, true, up, algorithm, h, &p, "region");
    phase("gate_up", max_tail(mid), gemv_cycles(f, algorithm, Region{g.cols, g.rows}, up), p);
    out = gemv_phase(c, {0, 0}, g.rows, g.cols, false, down, algorithm, mid, &p, "region");
    phase("down", max_tail(out), gemv_cycles(f, algorithm, g, down), p);
  }
  KernelResult result = finish(c, "layer", max_tail(out), analytic, path);
  result.events += extra_events;
  result.phases = r.phases;
  return result;
}

KernelResult run_kernel(const Mesh& mesh, const KernelRequest& q) {
  const double eb = q.element_bytes;
  auto need_model = [&]() -> const ModelSpec& {
    if (!q.model) throw InputError("model", "--kernel " + q.kernel + " needs a model");
    return *q.model;
  };
  if (q.kernel == "broadcast") return broadcast_kernel(mesh, q.size * eb);
  if (q.kernel == "reduce") return reduce_kernel(mesh, q.size * eb, q.algorithm);
  if (q.kernel == "allreduce") return allreduce_kernel(mesh, q.size * eb, q.algorithm);
  if (q.kernel == "gemv") return gemv_kernel(mesh, GemvShape{q.size, q.size, eb}, q.algorithm);
  if (q.kernel == "gemm") return gemm_kernel(mesh, MatmulShape{q.size, q.size, q.size, eb});
  if (q.kernel == "attention") return attention_kernel(mesh, attention_shape(need_model(), q.size), q.algorithm);
  if (q.kernel == "moe") return moe_kernel(mesh, need_model(), q.seed, q.algorithm);
  if (q.kernel == "layer") return layer_kernel(mesh, need_model(), q.size, q.seed, q.algorithm);
  std::string valid;
  for (const auto& n : kernel_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw InputError("kernel", "expected one of " + valid + "; got '" + q.kernel + "'");
}

}  // namespace ws::fabric
