// fabric: one kernel simulated message by message on a region of a wafer's mesh, next to its closed form.
#include <fmt/format.h>

#include <algorithm>

#include "fabric/kernels.h"
#include "report/fabric_plot.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

double default_size(const std::string& kernel) {
  if (kernel == "gemv" || kernel == "gemm") return 4096;
  if (kernel == "attention" || kernel == "layer" || kernel == "moe") return 8192;
  return 1024;
}

}  // namespace

Command fabric_command() {
  Command c;
  c.name = "fabric";
  c.help = "Simulate a kernel message by message on a region of a wafer's core mesh (with defects), next to its closed form";
  c.fields = {
      text_field("chip", std::string("wse-3"), "Wafer chip with [fabric] facts (wse-2, wse-3)"),
      text_field("kernel", std::string("broadcast"), "broadcast, reduce, allreduce, gemv, gemm, attention, moe or layer"),
      text_field("region", std::string("64x64"), "RxC cores (at most the chip's fabric, either way round)"),
      bounded_field("size", FieldType::number,
              "Elements (broadcast/reduce/allreduce, default 1024), K = N (gemv) or M = K = N (gemm, default 4096), "
              "context tokens (attention/layer, default 8192; moe routes one token and ignores it)",
              std::nullopt, 1, limits::max_fabric_size, "the longest context of any catalog model is 1e7 tokens"),
      text_field("model", std::nullopt, "Model for attention, moe and layer (catalog name or config.json)"),
      text_field("algorithm", std::string("two-phase"), "Reduction: chain, tree or two-phase (Luczynski et al., HPDC'24)"),
      bounded_field("defect_density", FieldType::number, "Fraction of tiles dead, drawn with --seed", std::string("0"), 0,
              limits::max_defect_density, "beyond half the tiles dead no region's spares repair it"),
      cli_only(text_field("defect_file", std::nullopt, "Dead tiles, one 'row,col' per line (instead of --defect-density)")),
      bounded_field("seed", FieldType::integer, "Seed of the defect map and of the experts a token is routed to", std::string("1"), 0,
              limits::max_seed, "JSON numbers are exact only to 2^53"),
      cli_only(text_field("plot", std::nullopt, "Write the region, dead tiles and critical path to FILE.png or FILE.svg")),
  };
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Chip& chip = wafer_chip(ctx.catalog, v.text("chip"));
    const WaferFabric& f = *chip.fabric;
    const std::string& kernel = v.text("kernel");
    const auto& names = fabric::kernel_names();
    if (std::find(names.begin(), names.end(), kernel) == names.end())
      throw InputError("kernel", "expected one of broadcast, reduce, allreduce, gemv, gemm, attention, moe, layer; got '" +
                                     kernel + "'");
    const fabric::Region region = fabric::parse_region(v.text("region"), "region");
    fabric::check_region(f, region, "region");
    fabric::KernelRequest q;
    q.kernel = kernel;
    q.size = v.optional_number("size").value_or(default_size(kernel));
    q.algorithm = fabric::parse_reduce_algorithm(v.text("algorithm"), "algorithm");
    q.seed = static_cast<std::uint64_t>(v.integer("seed"));
    std::optional<ModelSpec> model;
    if (v.has("model")) model = ctx.catalog.model(v.text("model"), "model", user_paths(v));
    const bool needs_model = kernel == "attention" || kernel == "moe" || kernel == "layer";
    if (needs_model && !model) throw InputError("model", "--kernel " + kernel + " needs a model (a catalog name or config.json)");
    if (model) q.model = &*model;
    const double density = v.number("defect_density");
    if (v.has("defect_file") && density > 0)
      throw InputError("defect_file", "give either a defect file or a defect density, not both");
    const int physical = region.cols + fabric::spare_columns(f, region.cols);
    fabric::DefectMap defects =
        v.has("defect_file") ? fabric::DefectMap::from_file(v.text("defect_file"), region.rows, physical)
                             : fabric::DefectMap::random(region.rows, physical, density, q.seed, "defect_density");
    const fabric::Mesh mesh(f, region, std::move(defects));
    const fabric::KernelResult r = fabric::run_kernel(mesh, q);

    Table t;
    t.title = "Fabric kernel";
    t.columns = {Column{"chip", "chip"},
                 Column{"kernel", "kernel"},
                 Column{"region", "region"},
                 Column{"size", "size", 1, 0, true},
                 Column{"algorithm", "reduce"},
                 Column{"dead_tiles", "dead", 1, 0, true},
                 Column{"simulated_s", "simulated us", 1e-6, 3},
                 Column{"analytic_s", "analytic us", 1e-6, 3},
                 Column{"simulated_cycles", "cycles", 1, 0, true},
                 Column{"critical_hops", "crit hops", 1, 0, true},
                 Column{"critical_bytes", "crit bytes", 1, 0, true},
                 Column{"critical_messages", "crit msgs", 1, 0, true},
                 Column{"events", "events", 1, 0, true},
                 Column{"lines_simulated", "lines sim", 1, 0, true},
                 Column{"lines_reused", "lines reused", 1, 0, true}};
    t.rows.push_back({chip.name, kernel, fmt::format("{}x{}", region.rows, region.cols), q.size,
                      fabric::to_string(q.algorithm), static_cast<double>(mesh.defects().count()), r.simulated_s,
                      r.analytic_s, r.simulated_cycles, r.critical.hops, r.critical.bytes,
                      static_cast<double>(r.critical.messages), static_cast<double>(r.events),
                      static_cast<double>(r.lines_simulated), static_cast<double>(r.lines_reused)});
    t.notes.push_back(fmt::format("{} spare columns; clock {:.2f} GHz; hop {:.0f}, ramp {:.0f} cycles; {:.0f} bytes per link per cycle",
                                  mesh.spares(), f.clock_hz / 1e9, f.hop_latency_cycles, f.ramp_latency_cycles,
                                  f.link_bytes_per_cycle));
    CommandOutput out;
    out.tables.push_back(std::move(t));
    if (!r.phases.empty()) {
      Table phases;
      phases.title = "Layer phases (dependence order)";
      phases.columns = {Column{"phase", "phase"}, Column{"end_s", "simulated end us", 1e-6, 3},
                        Column{"analytic_end_s", "analytic end us", 1e-6, 3}};
      for (const auto& p : r.phases)
        phases.rows.push_back({p.name, fabric::seconds(f, p.end_cycles), fabric::seconds(f, p.analytic_cycles)});
      out.tables.push_back(std::move(phases));
    }
    if (v.has("plot")) {
      plot_fabric(mesh, r,
                  fmt::format("{} {} on {}x{} {} ({} dead tiles)", chip.display_name, kernel, region.rows, region.cols,
                              chip.name, mesh.defects().count()),
                  v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

}  // namespace ws
