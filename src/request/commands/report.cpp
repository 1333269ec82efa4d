// report: recompute every table of the source analysis, the validation, frontier and cost charts, and the source's
// business side (deal, contracts, fleet, bill of materials, roadmap, rooflines, input lengths) through the same
// commands the CLI and the API run, so the report shows exactly what they answer.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "report/report.h"
#include "report/reproduction.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

namespace {

namespace fs = std::filesystem;

struct Section {
  std::string title;
  std::string command;
  nlohmann::json body;  // the request, as the API would take it; "plot" names a file under the report folder
  std::string why;      // one line under the title
};

const std::vector<Section>& business_sections() {
  static const std::vector<Section> sections = {
      {"Deal: Cerebras-OpenAI, per CS-3", "deal",
       {{"preset", "cerebras-openai"}, {"sensitivity", true}, {"plot", "deal_irr_sensitivity.png"}},
       "Project cash flows per system; the three year-1 EBIT margins against the published 33.8 / 51.1 / 55.4%."},
      {"AI cloud contracts", "deal", {{"contracts", true}},
       "The eleven published contracts with value / term recomputed; departures from the printed row are named."},
      {"Fleet: 750 MW of CS-3", "fleet", {{"hardware", "cs-3"}, {"mw", 750}},
       "Critical-IT megawatts to systems, facility power, coolant and the tokens and revenue of the fleet."},
      {"Fleet: the 250 MW tranches against capacity lined up", "fleet",
       {{"schedule", true}, {"plot", "fleet_schedule.png"}}, "The deal's 2026-2028 tranches and the shortfall."},
      {"Bill of materials: CS-3 + KVSS before the DRAM price rise", "bom", {{"scenario", "pre-hike"}},
       "Line items with their source or stated assumption; published total 341,962 USD."},
      {"Bill of materials: after the DRAM price rise", "bom", {{"scenario", "post-hike"}, {"plot", "bom_dram_price.png"}},
       "Published total 464,484 USD; the DRAM price is the only input that differs."},
      {"Roadmap what-ifs", "roadmap", nlohmann::json::object(),
       "CS-4, a bonded DRAM wafer, photonic I/O, a 2 nm wafer and Groq's LP40, derived from physical parameters."},
      {"Rooflines: chips", "roofline", {{"plot", "roofline_chips.png"}}, "Attainable FLOP/s against intensity, FP8."},
      {"Rooflines: systems", "roofline",
       {{"system", "dgx-h100,dgx-b300,gb300-nvl72,cs-3,groq-lpx"}, {"plot", "roofline_systems.png"}},
       "The same for whole systems."},
      {"Rooflines: 1M USD of each kind", "roofline", {{"per_usd", 1e6}, {"plot", "roofline_per_musd.png"}},
       "What a million dollars buys: ~2 HGX, ~4 NVL72 sleds' worth of GPUs, ~50 LP30s, one wafer."},
      {"Agentic coding input lengths", "lengths", {{"workload", "agentic-coding"}, {"plot", "agentic_input_lengths.png"}},
       "The distribution of input lengths, the share above 128k marked."},
  };
  return sections;
}

std::string slug(const std::string& title) {
  std::string s;
  for (char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!s.empty() && s.back() != '_') s += '_';
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s;
}

// Runs each business command as the CLI would, writes business.md (every table and note, each table also as CSV)
// and returns the index's section.
std::string write_business(const Context& ctx, const std::string& out_dir, std::string& summary) {
  std::string md = "# The business side\n\nEach section is the command shown, run as the CLI runs it.\n\n";
  std::string index = "## The business side\n\n[business.md](business.md): deal, contracts, fleet, bill of materials, "
                      "roadmap, rooflines, input lengths.\n\n";
  for (const auto& s : business_sections()) {
    const Command* command = find_command(s.command);
    nlohmann::json body = s.body;
    if (body.contains("plot")) body["plot"] = (fs::path(out_dir) / body["plot"].get<std::string>()).string();
    const RequestValues values = values_from_json(command->fields, body, Caller::cli);
    const CommandOutput out = run_command(*command, ctx, values, Caller::cli);
    md += fmt::format("## {}\n\n{}\n\n`waferscope {} {}`\n\n", s.title, s.why, s.command, s.body.dump());
    if (s.body.contains("plot")) {
      const std::string plot = s.body["plot"].get<std::string>();
      md += fmt::format("![{}]({})\n\n", s.title, plot);
      index += fmt::format("- {}: ![{}]({})\n", s.title, s.title, plot);
    }
    for (std::size_t i = 0; i < out.tables.size(); ++i) {
      const std::string csv = fmt::format("{}_{}.csv", slug(s.title), i + 1);
      write_text_file(out_dir, csv, render(out.tables[i], Format::csv));
      md += render(out.tables[i], Format::md) + fmt::format("\n[{}]({})\n\n", csv, csv);
    }
  }
  write_text_file(out_dir, "business.md", md);
  summary += "Wrote the business side (deal, contracts, fleet, BoM, roadmap, rooflines, input lengths) to business.md\n";
  return index + "\n";
}

}  // namespace

Command report_command() {
  Command c{"report", "Recompute every table of the source analysis and list where it departs",
            {text_field("out", std::string("report"), "Output folder")}};
  c.api = false;  // writes a folder of files
  c.run = [](const Context& ctx, const RequestValues& v) {
    CommandOutput out;
    const std::string dir = v.text("out");
    out.text = write_report(ctx.catalog, dir);  // the summary of what it wrote
    std::string summary;
    const std::string section = write_business(ctx, dir, summary);
    std::ofstream(fs::path(dir) / "index.md", std::ios::app) << "\n" << section;
    out.text += summary;
    out.files.push_back(dir);
    return out;
  };
  return c;
}

}  // namespace ws
