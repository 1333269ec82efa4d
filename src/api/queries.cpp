#include "api/queries.h"

#include <sstream>

#include "core/error.h"

namespace ws {

bool parse_kv_window(const std::string& text, const std::string& where) {
  const std::string lowered = to_lower(text);
  if (lowered == "honor") return true;
  if (lowered == "ignore") return false;
  throw InputError(where, "expected honor or ignore; got '" + text + "'");
}

SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& where) {
  SpecDecode spec;
  if (text.empty() || to_lower(text) == "none") return spec;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto eq = part.find('=');
    const std::string key = to_lower(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    try {
      if (key == "mtp" || key == "vendor") spec.method = key;
      else if (key == "draft") { spec.method = "draft"; spec.draft_model = value; catalog.model(value, where + " draft"); }
      else if (key == "k") spec.draft_tokens = std::stoi(value);
      else if (key == "accept") spec.acceptance = std::stod(value);
      else throw std::invalid_argument(part);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception&) {
      throw InputError(where, "expected none, mtp, vendor or draft=MODEL, optionally with ,k=N and ,accept=A (0..1); "
                              "got '" + text + "'");
    }
  }
  if (spec.method == "none") throw InputError(where, "name a method (mtp, vendor or draft=MODEL); got '" + text + "'");
  if (!(spec.acceptance > 0 && spec.acceptance < 1)) throw InputError(where, "accept must be in (0, 1)");
  if (spec.draft_tokens < 0 || spec.draft_tokens > 16) throw InputError(where, "k must be in 1..16");
  if (spec.method == "vendor") {
    spec.acceptance = catalog.constants_for("wafer").get("vendor_spec_acceptance");
    spec.draft_step_s = catalog.constants_for("wafer").get("vendor_draft_step_s");
  }
  return spec;
}

}  // namespace ws
