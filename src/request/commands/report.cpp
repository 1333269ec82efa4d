// report: recompute every table of the source analysis, the validation, frontier and cost charts.
#include "report/report.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command report_command() {
  Command c{"report", "Recompute every table of the source analysis and list where it departs",
            {text_field("out", std::string("report"), "Output folder")}};
  c.api = false;  // writes a folder of files
  c.run = [](const Context& ctx, const RequestValues& v) {
    CommandOutput out;
    out.text = write_report(ctx.catalog, v.text("out"));  // the summary of what it wrote
    out.files.push_back(v.text("out"));
    return out;
  };
  return c;
}

}  // namespace ws
