#pragma once
// Kernels as message schedules on a Mesh, simulated by EventSim and composed line by line: a kernel's rows (or
// columns) are simulated as lines, and a line whose routes are straight and whose inputs have the same relative
// timing as one simulated before reuses that simulation shifted in time (exact: the engine is max-plus and
// shift-invariant). On a defect-free region that is one simulation per distinct line; with defects, every line
// that crosses a repaired tile gets its own. Every result carries the closed form of fabric/analytic.h for the
// same work (analytic_s).
#include <cstdint>
#include <string>
#include <vector>

#include "fabric/analytic.h"
#include "fabric/event_sim.h"
#include "model/model_spec.h"

namespace ws::fabric {

struct PhaseTime {
  std::string name;
  double end_cycles = 0;       // simulated: when the phase's last output is in
  double analytic_cycles = 0;  // the phase's closed form
};

struct KernelResult {
  std::string kernel;
  double simulated_cycles = 0, simulated_s = 0;
  double analytic_cycles = 0, analytic_s = 0;
  std::uint64_t events = 0;           // events the engine processed
  std::uint64_t lines_simulated = 0;  // lines run through the engine
  std::uint64_t lines_reused = 0;     // lines answered by shifting an earlier simulation
  CriticalPath critical;
  std::vector<PhaseTime> phases;
};

// The kernels the CLI offers (`waferscope fabric --kernel`), in its help order.
const std::vector<std::string>& kernel_names();

struct KernelRequest {
  std::string kernel = "broadcast";
  double size = 1024;  // broadcast/reduce/allreduce: elements; gemv: K = N; gemm: M = K = N; attention/layer: context tokens
  ReduceAlgorithm algorithm = ReduceAlgorithm::two_phase;
  const ModelSpec* model = nullptr;  // attention, moe, layer
  std::uint64_t seed = 1;            // the experts a token is routed to (moe, layer of a MoE model)
  double element_bytes = 2;          // bf16 activations, weights and KV
};

// Runs one kernel on the mesh. InputError (naming the field: region, size, model) when the work does not fit the
// region's SRAM or the region is too small for it.
KernelResult run_kernel(const Mesh& mesh, const KernelRequest& request);

// The kernels one by one (region = the mesh's region).
KernelResult broadcast_kernel(const Mesh& mesh, double bytes);
KernelResult reduce_kernel(const Mesh& mesh, double bytes, ReduceAlgorithm algorithm);
KernelResult allreduce_kernel(const Mesh& mesh, double bytes, ReduceAlgorithm algorithm);
KernelResult gemv_kernel(const Mesh& mesh, GemvShape shape, ReduceAlgorithm algorithm);
KernelResult gemm_kernel(const Mesh& mesh, MatmulShape shape);
KernelResult attention_kernel(const Mesh& mesh, const AttentionShape& shape, ReduceAlgorithm algorithm);
KernelResult moe_kernel(const Mesh& mesh, const ModelSpec& model, std::uint64_t seed, ReduceAlgorithm algorithm);
KernelResult layer_kernel(const Mesh& mesh, const ModelSpec& model, double context_tokens, std::uint64_t seed,
                          ReduceAlgorithm algorithm);

// The decode-attention shape of a model's first layer at a context (windowed layers cache their window).
AttentionShape attention_shape(const ModelSpec& model, double context_tokens);

}  // namespace ws::fabric
