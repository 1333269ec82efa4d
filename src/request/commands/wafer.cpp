// wafer: what defects do to a wafer-scale chip. The yield of a wafer whose rows carry spare tiles (closed form and
// Monte Carlo, per die and per wafer, next to a conventional die of the same process), the route-around penalty of a
// broadcast across the wafer, and with --model a picture of a deployment: which cores hold which layer's parts and
// KV, and the path of one token through them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fabric/kernels.h"
#include "fabric/layout.h"
#include "fabric/yield.h"
#include "report/fabric_plot.h"
#include "report/wafer_plot.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

Cell number_or_blank(double value) { return std::isfinite(value) ? Cell{value} : Cell{}; }

// Yield falls with density; the densities the bisection tries stop at 100 per mm^2 (every tile dead).
constexpr double kDensitySearchCap = 100;

std::string part_label(const fabric::Band& b) {
  if (b.part == "experts") return fmt::format("experts ({})", b.experts);
  if (b.part == "kv") return "KV cache";
  if (b.part == "shared") return "router + shared experts";
  return b.part;
}

}  // namespace

Command wafer_command() {
  Command c;
  c.name = "wafer";
  c.help = "Yield of a wafer with spare cores at a defect density, the route-around penalty of a broadcast across it, "
           "and (--model) where a deployment's layers, experts and KV sit on it";
  c.fields = join(
      {{text_field("chip", std::string("wse-3"), "Wafer chip with [fabric] facts (wse-2, wse-3)"),
        bounded_field("defect_density", FieldType::number,
                "Defects per mm^2 of silicon, in [0, 1) (default: the chip's published assumption, 0.001 for WSE-3); "
                "a tile is dead with probability 1 - exp(-density x tile area)",
                std::nullopt, 0, limits::max_wafer_defect_density_per_mm2,
                "published processes run near 0.001-0.1 per mm^2; at 1 per mm^2 one WSE-3 tile in 21 is dead"),
        bounded_field("seed", FieldType::integer,
                "Seed of the defect map (Monte-Carlo trials use seed, seed+1, ...) and of the experts a token is routed to",
                std::string("1"), 0, limits::max_seed, "JSON numbers are exact only to 2^53"),
        bounded_field("trials", FieldType::integer, "Monte-Carlo defect maps per yield estimate", std::string("20"), 1,
                limits::max_yield_trials, "each trial draws ~1e6 tiles on a WSE-3; 1000 keep a request near ten seconds"),
        text_field("region", std::nullopt, "RxC cores the route-around broadcast spans (default: the whole fabric)"),
        bounded_field("size", FieldType::number, "Elements (bf16) the route-around broadcast sends (default 8192, a 70B hidden vector)",
                std::string("8192"), 1, limits::max_fabric_size,
                "the longest context of any catalog model is 1e7 tokens; the SRAM check refuses what a core cannot hold"),
        text_field("compare", std::string("h100"), "Chip whose die (die_area_mm2) the wafer's yield is compared with"),
        model_field(false),
        config_field(),
        count_field("devices", "Wafers the model is split over (default: the fewest that hold weights + KV, as deploy counts)",
                    limits::max_devices, "beyond the largest announced AI cluster"),
        tokens_field("context", std::string("8192"), "Tokens per sequence whose KV the picture places"),
        concurrency_field("1", "Sequences whose KV the picture places")},
       precision_fields(),
       {cli_only(text_field("plot", std::nullopt,
                            "Write FILE.png or FILE.svg: the deployment on the first wafer with one token's path "
                            "(--model), else the whole-fabric broadcast with its dead tiles and critical path"))}});
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Chip& chip = wafer_chip(ctx.catalog, v.text("chip"));
    const WaferFabric& f = *chip.fabric;
    if (!chip.logic_area_mm2) throw InputError("chip", "expected a chip with logic_area_mm2 in the catalog (the area defects land on)");
    const double area = *chip.logic_area_mm2;
    const std::optional<double> given_density = v.optional_number("defect_density");
    if (given_density && !(*given_density >= 0 && *given_density < 1))
      throw InputError("defect_density", fmt::format("expected a density in [0, 1) defects per mm^2; got {}", *given_density));
    const double density = given_density.value_or(f.defect_density_per_mm2.value_or(0));
    const auto seed = static_cast<std::uint64_t>(v.integer("seed"));
    const int trials = static_cast<int>(v.integer("trials"));
    const Chip& compare = ctx.catalog.chip(v.text("compare"), "compare");
    if (!compare.die_area_mm2)
      throw InputError("compare", "expected a chip with a die_area_mm2 in the catalog (h100); '" + compare.name + "' has none");

    // ---- yield ----
    const double tile_area = fabric::tile_area_mm2(f, area);
    const double p = fabric::tile_dead_probability(density, tile_area);
    const fabric::Region whole{static_cast<int>(f.fabric_height_cores), static_cast<int>(f.fabric_width_cores)};
    const fabric::RepairBlock wafer_block = fabric::repair_block(f, whole);
    const fabric::Region die = fabric::die_region(f);
    const bool dies = die.rows > 0;
    const fabric::RepairBlock die_block = dies ? fabric::repair_block(f, die) : fabric::RepairBlock{};
    const double die_area = dies ? area / f.dies_per_wafer : 0;
    const double nan = std::numeric_limits<double>::quiet_NaN();

    Table y;
    y.title = fmt::format("Yield at {} defects per mm^2 ({} {})", density, chip.display_name, dies ? "wafer and die" : "wafer");
    y.columns = {Column{"scope", "scope"},
                 Column{"area_mm2", "area mm2", 1, 1},
                 Column{"physical_tiles", "tiles", 1, 0, true},
                 Column{"spare_tiles", "spares", 1, 0, true},
                 Column{"enabled_cores", "enabled", 1, 0, true},
                 Column{"expected_defects", "defects", 1, 2},
                 Column{"yield", "yield", 1, 4},
                 Column{"unrepairable", "lost", 1, 3},
                 Column{"monte_carlo_yield", "MC yield", 1, 4},
                 Column{"monte_carlo_stderr", "MC +-", 1, 4},
                 Column{"monte_carlo_dead", "MC dead", 1, 2},
                 Column{"density_at_half_yield", "D @ 50%", 1, 6}};
    auto block_row = [&](const std::string& scope, const fabric::RepairBlock& b, double block_area) {
      const fabric::RepairYield r = fabric::repair_yield(b, p);
      const fabric::MonteCarloYield m = fabric::monte_carlo_yield(b, p, seed, trials);
      const double half = fabric::density_at_yield(
          [&](double d) { return fabric::repair_yield(b, fabric::tile_dead_probability(d, tile_area)).yield; }, 0.5, kDensitySearchCap);
      y.rows.push_back({scope, block_area, b.physical_tiles(), b.spare_tiles(), b.logical_cores(),
                        fabric::expected_defects(density, block_area), r.yield, r.unrepairable, m.yield, m.standard_error,
                        m.mean_dead, half});
      return r;
    };
    // A row without a simulation: `log_yield` (kept in logs so a loss far below 1e-16 still shows).
    auto closed_row = [&](const std::string& scope, double block_area, double tiles, double spares, double log_yield, double half) {
      y.rows.push_back({scope, block_area, number_or_blank(tiles), spares, number_or_blank(tiles - spares),
                        fabric::expected_defects(density, block_area), std::exp(log_yield), -std::expm1(log_yield), Cell{}, Cell{},
                        Cell{}, half});
    };
    const double wafer_area_modelled = wafer_block.physical_tiles() * tile_area;
    const fabric::RepairYield wafer_yield = block_row("wafer: row repair", wafer_block, wafer_area_modelled);
    if (dies) {
      const fabric::RepairYield die_yield =
          block_row(fmt::format("die ({}x{} cores): row repair", die.rows, die.cols), die_block, die_block.physical_tiles() * tile_area);
      const int n = f.dies_per_wafer;
      closed_row(fmt::format("wafer of {} dies repaired apart", n), die_block.physical_tiles() * tile_area * n,
                 die_block.physical_tiles() * n, die_block.spare_tiles() * n, n * std::log1p(-die_yield.unrepairable),
                 fabric::density_at_yield(
                     [&](double d) {
                       return std::pow(fabric::repair_yield(die_block, fabric::tile_dead_probability(d, tile_area)).yield, n);
                     },
                     0.5, kDensitySearchCap));
      closed_row("die: no spares (Poisson)", die_area, nan, 0, -fabric::expected_defects(density, die_area), std::log(2.0) / die_area);
    }
    closed_row("wafer: no spares (Poisson)", area, nan, 0, -fabric::expected_defects(density, area), std::log(2.0) / area);
    const double cd = *compare.die_area_mm2;
    closed_row(compare.display_name + " die (Poisson)", cd, nan, 0, -fabric::expected_defects(density, cd), std::log(2.0) / cd);
    closed_row(compare.display_name + " die (Murphy)", cd, nan, 0, std::log(fabric::murphy_yield(density, cd)),
               fabric::density_at_yield([&](double d) { return fabric::murphy_yield(d, cd); }, 0.5, kDensitySearchCap));
    y.notes.push_back(fmt::format(
        "tile {:.4f} mm^2 ({:.0f} mm^2 over {:.0f} physical cores); dead with probability {:.3g}; rows of {} logical cores + {} "
        "spares ({}x{} physical tiles modelled, catalog {:.0f} physical, {:.0f} enabled)",
        tile_area, area, f.cores_physical > 0 ? f.cores_physical : f.fabric_width_cores * f.fabric_height_cores, p,
        wafer_block.cols, wafer_block.spares, wafer_block.rows, wafer_block.cols + wafer_block.spares, f.cores_physical,
        f.cores_enabled));
    y.notes.push_back(fmt::format(
        "repaired wafer: enabled = physical - dead - unused spares = {:.0f} - {:.1f} - {:.1f} = {:.0f} (expected dead and unused); "
        "P(some row unrepairable) = {:.3g}",
        wafer_block.physical_tiles(), wafer_yield.expected_dead, wafer_yield.expected_unused_spares, wafer_block.logical_cores(),
        wafer_yield.unrepairable));
    if (compare.compute_units)
      y.notes.push_back(fmt::format(
          "area a defect takes out: one tile {:.3f} mm^2 vs one {} SM ~{:.2f} mm^2 (die / {} SMs): {:.0f}x (the vendor's "
          "'100x defect tolerance')",
          tile_area, compare.display_name, cd / *compare.compute_units, *compare.compute_units,
          cd / *compare.compute_units / tile_area));
    if (f.cores_physical <= 0) y.notes.push_back("no physical core count in the catalog: no spares modelled");
    if (!given_density && !f.defect_density_per_mm2)
      y.notes.push_back("no published defect density for " + chip.name + ": 0 used (give --defect-density)");
    y.notes.push_back(fmt::format("Monte Carlo: {} defect maps, seeds {}..{}; D @ 50%: the density (per mm^2) at which half "
                                  "survive{}",
                                  trials, seed, seed + static_cast<std::uint64_t>(trials) - 1,
                                  dies ? fmt::format("; dies {}x{} cores ({} across the width, the catalog's assumption)", die.rows,
                                                     die.cols, f.die_grid_columns)
                                       : ""));

    // ---- route-around penalty ----
    fabric::Region region = whole;
    if (v.has("region")) {
      region = fabric::parse_region(v.text("region"), "region");
      fabric::check_region(f, region, "region");
    }
    const int physical_cols = region.cols + fabric::spare_columns(f, region.cols);
    fabric::DefectMap defects = fabric::DefectMap::random(region.rows, physical_cols, p, seed, "defect_density");
    const double bytes = v.number("size") * 2;  // bf16
    // The row with the most dead tiles (the first such), broadcast along with the next two rows towards the region's
    // far side under it (mirrored when that side is north): a lone row has no tile to detour through.
    int worst = 0;
    for (int r = 1; r < region.rows; ++r)
      if (defects.dead_in_row(r) > defects.dead_in_row(worst)) worst = r;
    const int band = std::min(3, region.rows);
    const int step = worst + band <= region.rows ? 1 : -1;
    fabric::DefectMap row_defects(band, physical_cols);
    row_defects.origin_field = "defect_density";
    for (int k = 0; k < band; ++k)
      for (int col = 0; col < physical_cols; ++col)
        if (defects.dead(worst + step * k, col)) row_defects.set_dead(k, col);
    const fabric::Region row_region{band, region.cols};
    const fabric::Mesh clean_row(f, row_region), dirty_row(f, row_region, std::move(row_defects));
    const fabric::Mesh clean(f, region), dirty(f, region, std::move(defects));
    const fabric::KernelResult row_clean = fabric::broadcast_kernel(clean_row, bytes), row_dirty = fabric::broadcast_kernel(dirty_row, bytes);
    const fabric::KernelResult all_clean = fabric::broadcast_kernel(clean, bytes), all_dirty = fabric::broadcast_kernel(dirty, bytes);
    Table ra;
    ra.title = "Route-around penalty of a broadcast";
    ra.columns = {Column{"kernel", "kernel"},
                  Column{"region", "region"},
                  Column{"dead_tiles", "dead", 1, 0, true},
                  Column{"clean_cycles", "clean cycles", 1, 0, true},
                  Column{"defect_cycles", "defect cycles", 1, 0, true},
                  Column{"penalty", "penalty", 1, 4},
                  Column{"clean_s", "clean us", 1e-6, 3},
                  Column{"defect_s", "defect us", 1e-6, 3},
                  Column{"critical_hops", "crit hops", 1, 0, true}};
    ra.rows.push_back({fmt::format("row broadcast (row {}, most dead; {} rows)", worst, band), fmt::format("{}x{}", band, region.cols),
                       static_cast<double>(dirty_row.defects().count()), row_clean.simulated_cycles, row_dirty.simulated_cycles,
                       row_dirty.simulated_cycles / row_clean.simulated_cycles, row_clean.simulated_s, row_dirty.simulated_s,
                       row_dirty.critical.hops});
    ra.rows.push_back({"region broadcast (from a corner)", fmt::format("{}x{}", region.rows, region.cols),
                       static_cast<double>(dirty.defects().count()), all_clean.simulated_cycles, all_dirty.simulated_cycles,
                       all_dirty.simulated_cycles / all_clean.simulated_cycles, all_clean.simulated_s, all_dirty.simulated_s,
                       all_dirty.critical.hops});
    ra.notes.push_back(fmt::format("{} bytes; defect map of seed {} at {:.3g} dead per tile; repaired rows shift onto spares "
                                   "and logical links detour around dead tiles (never faster: the event engine is monotone)",
                                   bytes, seed, p));

    CommandOutput out;
    out.tables.push_back(std::move(y));
    out.tables.push_back(std::move(ra));

    // ---- deployment picture ----
    std::optional<fabric::WaferLayout> layout;
    if (v.has("model") || v.object("config")) {
      const ModelSpec model = model_from(ctx.catalog, v);
      if (model.layers.empty())
        throw InputError("model", "expected a model with a per-layer config ('" + model.name + "' is a published aggregate)");
      const DeployRequest dr = deploy_request_from(ctx.catalog, model, v);
      const Hardware hardware = ctx.catalog.hardware(chip.name, "chip");
      const Deployment deployment = deploy(model, hardware, dr);
      const int layers = model.num_decoder_layers();
      int wafers = std::max({1, deployment.min_devices, deployment.devices_for_concurrency});
      if (v.has("devices")) {
        wafers = static_cast<int>(v.integer("devices"));
        if (wafers > layers)
          throw InputError("devices", fmt::format("expected at most {} wafers (one decoder layer each); got {}", layers, wafers));
      }
      fabric::LayoutRequest q;
      q.weights = dr.weights;
      q.kv = dr.kv;
      q.context_tokens = dr.context_tokens;
      q.concurrency = dr.concurrency;
      q.honor_windows = dr.honor_windows;
      q.seed = seed;
      const auto layer_bytes = fabric::decoder_layer_weight_bytes(model, dr.weights);
      const auto stages = split_layers(layer_bytes, input_embedding_bytes(model, dr.weights), output_head_bytes(model, dr.weights), wafers);
      layout = fabric::lay_out(f, model, stages, q);

      Table d;
      d.title = fmt::format("{} on {} x {} (row-major bands proportional to bytes)", model.display_name, stages.size(), chip.display_name);
      d.columns = {Column{"wafer", "wafer", 1, 0, true}, Column{"layer", "layer"}, Column{"part", "part"},
                   Column{"first_row", "first row", 1, 1}, Column{"last_row", "last row", 1, 1},
                   Column{"cores", "cores", 1, 0, true}, Column{"bytes", "MB", 1e6, 2}, Column{"token", "token"}};
      const int cols = layout->fabric.cols;
      for (const auto& b : layout->bands) {
        std::string token;
        for (const auto& s : layout->path)
          if (s.wafer == b.wafer && s.layer == b.layer && s.part == b.part)
            token += s.expert >= 0 ? (token.empty() ? "expert " : ",") + std::to_string(s.expert) : "yes";
        d.rows.push_back({static_cast<double>(b.wafer), b.layer >= 0 ? Cell{std::to_string(b.layer)} : Cell{}, part_label(b),
                          std::floor(b.first_core / cols), (b.first_core + b.cores) / cols, std::round(b.cores), b.bytes, token});
      }
      for (std::size_t s = 0; s < stages.size(); ++s) {
        const double capacity = layout->fabric.cores() * layout->bytes_per_core;
        d.notes.push_back(fmt::format("wafer {}: layers {}-{}, {:.2f} GB of {:.2f} GB SRAM on the {}x{} fabric{}", s, stages[s].first,
                                      stages[s].second - 1, layout->stage_bytes[s] / 1e9, capacity / 1e9, layout->fabric.rows,
                                      layout->fabric.cols,
                                      layout->scale[s] < 1 ? fmt::format(" (over by {:.0f}%: drawn scaled to fit)",
                                                                         (1 / layout->scale[s] - 1) * 100)
                                                           : ""));
      }
      d.notes.push_back(fmt::format(
          "stages: the perf engine's split of the decoder layers by weight bytes over {} wafers (deploy needs {}); inside a wafer "
          "the engine keeps no geometry, so each part gets a row-major band of cores in proportion to its bytes at {:.0f} KiB per "
          "core (this picture's simplification); KV for {} x {:.0f} tokens in {}; experts routed by --seed; MTP modules left out",
          stages.size(), std::max(deployment.min_devices, deployment.devices_for_concurrency), layout->bytes_per_core / 1024,
          dr.concurrency, dr.context_tokens, dr.kv.name));
      out.tables.push_back(std::move(d));
    }

    nlohmann::ordered_json api = nlohmann::ordered_json::object();
    const char* keys[] = {"yield", "route_around", "deployment"};
    for (std::size_t i = 0; i < out.tables.size(); ++i) api[keys[i]] = nlohmann::ordered_json::parse(render(out.tables[i], Format::json));
    out.api = std::move(api);

    if (v.has("plot")) {
      if (layout)
        plot_wafer_layout(*layout, 0,
                          fmt::format("{} on {} wafer 0 of {}: layers {}-{}, one token's path", v.has("model") ? v.text("model") : "model",
                                      chip.display_name, layout->stages.size(), layout->stages[0].first, layout->stages[0].second - 1),
                          v.text("plot"));
      else
        plot_fabric(dirty, all_dirty,
                    fmt::format("{} broadcast over {}x{} at {} defects/mm^2, seed {} ({} dead tiles)", chip.display_name, region.rows,
                                region.cols, density, seed, dirty.defects().count()),
                    v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

}  // namespace ws
