// The wafer device class built from the fabric: it agrees with the mesh simulator, runs WaferLLM's grid
// deployment, and speculates only as catalog/speculative.toml states.
#include "perf/wafer_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "fabric/kernels.h"
#include "fabric/mesh.h"
#include "perf/engine.h"
#include "perf/work.h"
#include "test_support.h"

namespace ws {
namespace {

const PerfEngine& engine() {
  static const PerfEngine e(test::catalog());
  return e;
}

PerfRequest request(const ModelSpec& m, const std::string& stack = "") {
  PerfRequest r;
  r.weights = weight_format(m, "bf16", test::catalog().precisions, "test");
  r.kv = test::catalog().precisions.get("bf16", "test");
  r.concurrency = 1;
  r.isl = 1000;
  r.osl = 1000;
  r.serving_stack = stack;
  return r;
}

// One decode layer of `model` on an R x C region, batch 1, by the device class with no software cost (the mesh
// alone) and by the event simulator (fabric::layer_kernel, two-phase reductions): the cycles of each.
std::pair<double, double> layer_cycles(const std::string& chip, const std::string& model_name, fabric::Region region,
                                       double context) {
  const Hardware h = test::catalog().hardware(chip);
  const ModelSpec m = test::catalog().model(model_name);
  const LayerAgreement a = compare_layer_with_fabric(
      test::catalog().constants_for("wafer"), h, m, weight_format(m, "bf16", test::catalog().precisions, "test"),
      test::catalog().precisions.get("bf16", "test"), region.rows, region.cols, context);
  return {a.analytic_s * h.chip.fabric->clock_hz, a.simulated_s * h.chip.fabric->clock_hz};
}

// Issue 10's bar for the analytic wafer class: within 10% of the simulator in the median and 25% at worst,
// over regions up to the whole wafer on WSE-2 and WSE-3 (the layer's weights and KV must fit the region's SRAM:
// Llama 3.1 8B's layer needs ~100 x 100 cores of 48 KiB).
TEST(WaferDevice, AgreesWithTheFabricSimulator) {
  std::vector<double> errors;
  struct Case {
    const char* chip;
    const char* model;
    fabric::Region region;
  };
  const std::vector<Case> cases = {
      {"wse-2", "llama-3.1-8b", {128, 128}}, {"wse-2", "llama-3.1-8b", {420, 420}}, {"wse-2", "llama-3.1-8b", {660, 660}},
      {"wse-2", "llama-3.1-8b", {757, 996}}, {"wse-3", "llama-3.1-8b", {256, 256}}, {"wse-3", "llama-3.1-8b", {762, 1172}},
      {"wse-3", "llama-3.1-70b", {400, 400}}, {"wse-3", "llama-3.1-70b", {762, 1172}},
      {"wse-3", "gpt-oss-120b", {762, 1172}}, {"wse-3", "qwen3-235b-a22b", {762, 1172}}};
  for (const auto& c : cases) {
    const auto [analytic, simulated] = layer_cycles(c.chip, c.model, c.region, 4096);
    ASSERT_GT(simulated, 0);
    const double error = analytic / simulated - 1;
    errors.push_back(std::fabs(error));
    RecordProperty(std::string(c.chip) + " " + c.model + " " + std::to_string(c.region.rows) + "x" +
                       std::to_string(c.region.cols),
                   std::to_string(error));
    EXPECT_LE(std::fabs(error), 0.25) << c.chip << " " << c.model << " " << c.region.rows << "x" << c.region.cols
                                      << ": analytic " << analytic << " vs simulated " << simulated << " cycles";
  }
  std::sort(errors.begin(), errors.end());
  const double median = 0.5 * (errors[errors.size() / 2 - 1] + errors[errors.size() / 2]);
  EXPECT_LE(median, 0.10);
}

// WaferLLM's observation, from the mesh alone (no software cost): a layer on more cores decodes slower once the
// tiles are small, because broadcasts and reductions cross more hops.
TEST(WaferDevice, FewerCoresDecodeFasterOnTheMesh) {
  const double at_420 = layer_cycles("wse-2", "llama-3.1-8b", {420, 420}, 4096).first;
  const double at_660 = layer_cycles("wse-2", "llama-3.1-8b", {660, 660}, 4096).first;
  EXPECT_LT(at_420, at_660);
}

TEST(WaferDevice, GridErrorsNameTheFlag) {
  const ModelSpec m = test::catalog().model("llama-3.1-8b");
  PerfRequest r = request(m, "waferllm");
  r.grid_rows = 2000;
  r.grid_cols = 420;
  EXPECT_THROW(engine().run(m, test::catalog().hardware("wse-2"), r), InputError);
  r.grid_rows = 20;
  r.grid_cols = 20;  // 400 cores of 48 KiB cannot hold an 8B layer
  EXPECT_THROW(engine().run(m, test::catalog().hardware("wse-2"), r), InfeasibleError);
  r.grid_rows = 420;
  r.grid_cols = 420;
  EXPECT_THROW(engine().run(m, test::catalog().hardware("h100"), r), InputError);
  r.serving_stack = "vllm";  // a GPU stack on a wafer
  EXPECT_THROW(engine().run(m, test::catalog().hardware("wse-2"), r), InputError);
}

// --spec-decode vendor: the stack's drafting as catalog/speculative.toml states it (cerebras: the Llama 70B drafted
// by the 8B, 4 tokens at 0.8 acceptance), nothing on models or stacks it does not name, and a given acceptance is
// kept: with accept=0.5 and 4 drafts an iteration yields (1 - 0.5^5) / (1 - 0.5) = 1.9375 tokens.
TEST(WaferDevice, VendorSpeculationIsTheCatalogStatement) {
  const ModelSpec big = test::catalog().model("llama-3.3-70b");
  const Hardware cs3 = test::catalog().hardware("cs-3");
  PerfRequest r = request(big);
  r.spec.method = "vendor";
  const PerfResult drafted = engine().run(big, cs3, r);
  EXPECT_EQ(drafted.serving_stack, "cerebras");
  EXPECT_EQ(drafted.spec_draft_tokens, 4);
  EXPECT_NEAR(drafted.spec_tokens_per_iteration, (1 - std::pow(0.8, 5)) / (1 - 0.8), 1e-9);
  EXPECT_GT(drafted.tokens_per_s_per_user, drafted.tokens_per_s_per_user_without_speculation);
  r.spec.acceptance = 0.5;
  r.spec.acceptance_given = true;
  EXPECT_NEAR(engine().run(big, cs3, r).spec_tokens_per_iteration, 1.9375, 1e-9);

  const ModelSpec small = test::catalog().model("llama-3.1-8b");
  PerfRequest plain = request(small);
  plain.spec.method = "vendor";
  const PerfResult undrafted = engine().run(small, cs3, plain);
  EXPECT_EQ(undrafted.spec_draft_tokens, 0);
  EXPECT_DOUBLE_EQ(undrafted.tokens_per_s_per_user, undrafted.tokens_per_s_per_user_without_speculation);
  PerfRequest launch = request(big, "cerebras-2024");
  launch.spec.method = "vendor";
  EXPECT_EQ(engine().run(big, cs3, launch).spec_draft_tokens, 0);  // the 2024 stack did not speculate
}

}  // namespace
}  // namespace ws
