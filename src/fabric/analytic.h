#pragma once
// Closed forms of the fabric kernels, from the same facts the simulator reads (WaferFabric): R = ramp latency,
// H = hop latency, A = core op latency (cycles), W = ceil(bytes / link_bytes_per_cycle) wavelets. These are what a
// device model can use without simulating; the simulator reproduces them exactly on a defect-free region where
// each is stated to be exact (tests/fabric/).
//   broadcast from a corner of an R x C region: 2R + (R - 1 + C - 1) H + W        (routers fork the stream)
//   chain reduce over n cores:                  (n - 1)(2R + H + A) + W          (pipelined per wavelet)
//   tree reduce over n = 2^k cores:             k (2R + A) + (n - 1) H + W       exact while W <= 2R + H + A;
//                                               beyond, the root's last link carries k streams: >= k W
//   two-phase reduce, groups of S (Luczynski et al., HPDC'24): chain inside each group to its leader, then a chain
//                                               over the leaders S hops apart; with S | n:
//                                               (S - 1)(2R + H + A) + (n/S - 1)(2R + S H + A) + W, or, for many
//                                               wavelets, one leader hop less + 2W (the first leader's ramp takes two)
// Reductions of an R x C region reduce rows to column 0, then column 0 to the corner.
#include <string>

#include "fabric/mesh.h"

namespace ws::fabric {

enum class ReduceAlgorithm { chain, tree, two_phase };
ReduceAlgorithm parse_reduce_algorithm(const std::string& text, const std::string& field);  // chain | tree | two-phase
std::string to_string(ReduceAlgorithm algorithm);

// The group size of a two-phase reduce over n cores: ceil(sqrt(n)) (balances the two chains).
int two_phase_group(int n);

double seconds(const WaferFabric& f, double cycles);
// Cycles of `macs` multiply-accumulates on one core, each reading one operand of `operand_bytes` from SRAM:
// ceil(macs / min(fp16 MACs per cycle, SRAM read bytes per cycle / operand_bytes)).
inline double mac_cycles(const WaferFabric& f, double macs, double operand_bytes) {
  if (macs <= 0) return 0;
  const double rate = std::min(f.fp16_macs_per_cycle, f.sram_read_bytes_per_cycle / operand_bytes);
  return std::ceil(macs / rate - 1e-9);
}

double broadcast_cycles(const WaferFabric& f, Region region, double bytes);
double reduce_line_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, int n, double bytes);
double reduce_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, double bytes);
double allreduce_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, double bytes);

// MeshGEMV (WaferLLM): y[1,N] = x[1,K] W[K,N]; core (i, j) holds W's K-slice j and N-slice i; x's slice j enters at
// the top of column j and is broadcast down it, each core multiplies its tile, rows reduce y's slices to column 0.
struct GemvShape {
  double k = 0, n = 0, element_bytes = 2;
};
double gemv_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, GemvShape shape);
// `tokens` vectors streamed through the same MeshGEMV one after another (a decode batch): the inputs stream down the
// columns and the outputs along the rows, each core multiplying its tile once per token; activations of
// `activation_bytes`, weights of `shape.element_bytes`. gemv_cycles is this at one token with both of one size.
double gemv_stream_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, GemvShape shape, double tokens,
                          double activation_bytes);

// MeshGEMM (WaferLLM, Cannon-like): P x P cores (P = min(R, C)), P steps, each multiplies one tile pair while the
// next A and B tiles shift one logical place (2 hops apart in the interleaved ring; 1 when P <= 2):
//   (P - 1) max(tile compute, 2R + hops H + W_tile) + tile compute.
struct MatmulShape {
  double m = 0, k = 0, n = 0, element_bytes = 2;
};
double gemm_tile_cycles(const WaferFabric& f, int p, MatmulShape shape);
double gemm_shift_cycles(const WaferFabric& f, int p, MatmulShape shape);
double gemm_cycles(const WaferFabric& f, Region region, MatmulShape shape);

// Decode attention of one token over a KV cache spread on the region: the columns split into one band per KV
// head, each band's cores hold an equal share of the context's K and V; the group's queries are broadcast over
// the band, each core scores its tokens and weights its V rows, the band reduces the partial outputs (with the
// softmax max and sum) to its corner.
struct AttentionShape {
  int heads = 0, kv_heads = 0, head_dim = 0;
  double context_tokens = 0, element_bytes = 2;
};
int attention_band_cols(Region region, const AttentionShape& a);
double attention_tokens_per_core(Region region, const AttentionShape& a);
double attention_compute_cycles(const WaferFabric& f, Region region, const AttentionShape& a);
double attention_query_bytes(const AttentionShape& a);
double attention_partial_bytes(const AttentionShape& a);
double attention_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, const AttentionShape& a);
// The hand-offs around it in a layer on one region: the q projection's outputs (row i holds slice i of the q, k, v
// columns, `qkv_columns` of them) gathered at each KV head's band corner, and each band's output spread along the
// top row over its columns (the O projection's input slices).
double attention_gather_cycles(const WaferFabric& f, Region region, const AttentionShape& a, double qkv_columns);
double attention_spread_cycles(const WaferFabric& f, Region region, const AttentionShape& a);

}  // namespace ws::fabric
