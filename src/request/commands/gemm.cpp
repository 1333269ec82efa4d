// gemm: arithmetic intensity and roofline bound of GEMM shapes per chip.
#include <fmt/format.h>

#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

// "M,N,K": three whole numbers, each in [1, max_gemm_dimension].
GemmShape parse_shape(const std::string& text) {
  std::vector<double> dims;
  std::size_t start = 0;
  while (start <= text.size() && dims.size() < 4) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const Field dim{"shape", FieldType::integer, "", std::nullopt, 1, limits::max_gemm_dimension,
                    "no GEMM a serving step runs is larger"};
    try {
      dims.push_back(static_cast<double>(
          values_from_text({dim}, {{"shape", {text.substr(start, comma - start)}}}, Caller::api).integer("shape")));
    } catch (const InputError& e) {
      throw InputError("shape", "expected M,N,K (three whole numbers); in '" + text + "': " + e.message());
    }
    start = comma + 1;
  }
  if (dims.size() != 3) throw InputError("shape", "expected M,N,K (three whole numbers); got '" + text + "'");
  return GemmShape{text, dims[0], dims[1], dims[2]};
}

}  // namespace

Command gemm_command() {
  Field shapes{"shape", FieldType::list, "M,N,K (several separated by ';' or repeated; default: the source's eight shapes)"};
  shapes.separator = ';';
  Command c{"gemm", "GEMM arithmetic intensity and roofline bound per chip",
            {shapes, text_field("dtype", std::string("fp8"), "Operand precision (fp8, bf16, fp4, ...)"),
             Field{"chip", FieldType::list, "Chips (default: every chip)"}}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    std::vector<GemmShape> shapes;
    for (const auto& s : v.list("shape")) shapes.push_back(parse_shape(s));
    if (shapes.empty()) shapes = default_gemm_shapes(ctx.catalog);
    std::vector<Chip> chips;
    for (const auto& name : v.list("chip")) chips.push_back(ctx.catalog.chip(name, "chip"));
    if (chips.empty()) chips = ctx.catalog.chips;
    return CommandOutput{{gemm_table(shapes, chips, ctx.catalog.precisions.get(v.text("dtype"), "dtype"))}};
  };
  return c;
}

}  // namespace ws
