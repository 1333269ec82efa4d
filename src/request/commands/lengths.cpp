// lengths: a workload's input-length distribution, the share above a threshold (128k by default) and its chart.
// A command of its own rather than a flag of `workloads`: that one is a listing (GET, no fields), this one takes a
// workload, a threshold and a bin count, and draws.
#include "report/planning.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

Command lengths_command() {
  Command c{"lengths", "A workload's input-length distribution and the share above a threshold (chart with --plot)",
            {text_field("workload", std::string("agentic-coding"), "Workload name or .toml path"),
             tokens_field("above", std::string("128k"), "Threshold whose share of requests is marked"),
             bounded_field("bins", FieldType::integer, "Histogram bins over [shortest, longest]", std::string("40"), 1,
                           limits::max_length_bins, "1000 already resolve a 400k-token range to 400 tokens"),
             cli_only(text_field("plot", std::nullopt, "Write the histogram and CDF to FILE.png or FILE.svg"))}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Workload workload = ctx.catalog.workload(v.text("workload"), "workload", user_paths(v));
    const double threshold = v.number("above");
    const auto bins = length_bins(workload.input_tokens, static_cast<int>(v.integer("bins")));
    CommandOutput out{{length_summary_table(workload, threshold), length_bins_table(bins)}, {}, {}, {}};
    auto rows = [](const Table& t) { return nlohmann::ordered_json::parse(render(t, Format::json)); };
    out.api = {{"summary", rows(out.tables[0])}, {"bins", rows(out.tables[1])}};
    if (v.has("plot")) {
      plot_length_distribution(workload, bins, threshold, v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

}  // namespace ws
