#include "fabric/analytic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ws::fabric {

ReduceAlgorithm parse_reduce_algorithm(const std::string& text, const std::string& field) {
  if (text == "chain") return ReduceAlgorithm::chain;
  if (text == "tree") return ReduceAlgorithm::tree;
  if (text == "two-phase" || text == "two_phase") return ReduceAlgorithm::two_phase;
  throw InputError(field, "expected chain, tree or two-phase; got '" + text + "'");
}

std::string to_string(ReduceAlgorithm algorithm) {
  switch (algorithm) {
    case ReduceAlgorithm::chain: return "chain";
    case ReduceAlgorithm::tree: return "tree";
    case ReduceAlgorithm::two_phase: return "two-phase";
  }
  return "?";
}

int two_phase_group(int n) { return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)) - 1e-9))); }

double seconds(const WaferFabric& f, double cycles) { return cycles / f.clock_hz; }


double broadcast_cycles(const WaferFabric& f, Region region, double bytes) {
  if (region.rows * static_cast<double>(region.cols) <= 1) return 0;
  return 2 * f.ramp_latency_cycles + (region.rows - 1 + region.cols - 1) * f.hop_latency_cycles + wavelets(f, bytes);
}

double reduce_line_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, int n, double bytes) {
  if (n <= 1) return 0;
  const double R = f.ramp_latency_cycles, H = f.hop_latency_cycles, A = f.core_op_latency_cycles, W = wavelets(f, bytes);
  switch (algorithm) {
    case ReduceAlgorithm::chain: return (n - 1) * (2 * R + H + A) + W;
    case ReduceAlgorithm::tree: {
      int k = 0;
      while ((1 << k) < n) ++k;
      const double latency = k * (2 * R + A) + ((1 << k) - 1) * H + W;
      return std::max(latency, k * W + 2 * R + H + A);  // the root's last link carries k streams
    }
    case ReduceAlgorithm::two_phase: {
      // Leaders from the last group to the first: each waits for its own chain's head or the next leader's
      // stream S hops away, whichever is later. With groups 0..G-2 of S cores and a last group of s cores:
      //   out(G-1) = (s - 1) c (0 when s = 1),  out(g) = max((S - 1) c, out(g + 1) + 2R + S H + A)  [c = 2R + H + A]
      // whose maximum over the unrolled terms is one of the two below (the latency form).
      const int S = two_phase_group(n), G = (n + S - 1) / S, last = n - (G - 1) * S;
      const double c = 2 * R + H + A, leader = 2 * R + S * H + A;
      const double out_last = last > 1 ? (last - 1) * c : 0;
      if (G == 1) return out_last + W;
      const double latency = std::max((S - 1) * c + (G - 2) * leader, out_last + (G - 1) * leader);
      // The first leader takes two streams (its group's chain and the next leader's) through its one ramp: with many
      // wavelets they queue there, one leader hop before the latency form ends (exact on the simulator when S
      // divides n; a short last group queues more).
      return std::max(latency + W, latency - leader + 2 * W);
    }
  }
  return 0;
}

double reduce_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, double bytes) {
  const double rows = reduce_line_cycles(f, algorithm, region.cols, bytes);
  const double W = wavelets(f, bytes);
  if (region.rows <= 1) return rows;
  // The column phase starts from the rows' results (their heads W before their tails).
  return (region.cols > 1 ? rows - W : 0) + reduce_line_cycles(f, algorithm, region.rows, bytes);
}

double allreduce_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, double bytes) {
  if (region.cores() <= 1) return 0;
  return reduce_cycles(f, algorithm, region, bytes) - wavelets(f, bytes) + broadcast_cycles(f, region, bytes);
}

double gemv_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, GemvShape s) {
  return gemv_stream_cycles(f, algorithm, region, s, 1, s.element_bytes);
}

double gemv_stream_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, GemvShape s, double tokens,
                          double activation_bytes) {
  const double k = std::ceil(s.k / region.cols), n = std::ceil(s.n / region.rows);
  const double broadcast = region.rows > 1 ? broadcast_cycles(f, Region{region.rows, 1}, tokens * k * activation_bytes) : 0;
  return broadcast + mac_cycles(f, tokens * k * n, s.element_bytes) +
         reduce_line_cycles(f, algorithm, region.cols, tokens * n * activation_bytes);
}

double gemm_tile_cycles(const WaferFabric& f, int p, MatmulShape s) {
  return mac_cycles(f, std::ceil(s.m / p) * std::ceil(s.k / p) * std::ceil(s.n / p), s.element_bytes);
}

double gemm_shift_cycles(const WaferFabric& f, int p, MatmulShape s) {
  if (p <= 1) return 0;
  const double hops = p > 2 ? 2 : 1;
  const double a = std::ceil(s.m / p) * std::ceil(s.k / p) * s.element_bytes;
  const double b = std::ceil(s.k / p) * std::ceil(s.n / p) * s.element_bytes;
  return 2 * f.ramp_latency_cycles + hops * f.hop_latency_cycles + wavelets(f, std::max(a, b));
}

double gemm_cycles(const WaferFabric& f, Region region, MatmulShape s) {
  const int p = std::min(region.rows, region.cols);
  const double c = gemm_tile_cycles(f, p, s);
  return (p - 1) * std::max(c, gemm_shift_cycles(f, p, s)) + c;
}

int attention_band_cols(Region region, const AttentionShape& a) { return std::max(1, region.cols / std::max(1, a.kv_heads)); }

double attention_tokens_per_core(Region region, const AttentionShape& a) {
  return std::ceil(a.context_tokens / (static_cast<double>(region.rows) * attention_band_cols(region, a)));
}

double attention_compute_cycles(const WaferFabric& f, Region region, const AttentionShape& a) {
  const double group = static_cast<double>(a.heads) / a.kv_heads;
  return mac_cycles(f, 2 * attention_tokens_per_core(region, a) * group * a.head_dim, a.element_bytes);
}

double attention_query_bytes(const AttentionShape& a) {
  return static_cast<double>(a.heads) / a.kv_heads * a.head_dim * a.element_bytes;
}

double attention_partial_bytes(const AttentionShape& a) {
  const double group = static_cast<double>(a.heads) / a.kv_heads;
  return group * (a.head_dim + 2) * a.element_bytes;  // the partial output and the softmax max and sum per head
}

double attention_cycles(const WaferFabric& f, ReduceAlgorithm algorithm, Region region, const AttentionShape& a) {
  const Region band{region.rows, attention_band_cols(region, a)};
  return broadcast_cycles(f, band, attention_query_bytes(a)) + attention_compute_cycles(f, region, a) +
         reduce_cycles(f, algorithm, band, attention_partial_bytes(a));
}

double attention_gather_cycles(const WaferFabric& f, Region region, const AttentionShape& a, double qkv_columns) {
  const double per_row = std::ceil(qkv_columns / region.rows);
  return 2 * f.ramp_latency_cycles +
         (region.rows - 1 + (a.kv_heads - 1) * attention_band_cols(region, a)) * f.hop_latency_cycles +
         wavelets(f, per_row * a.element_bytes);
}

double attention_spread_cycles(const WaferFabric& f, Region region, const AttentionShape& a) {
  const double group = static_cast<double>(a.heads) / a.kv_heads * a.head_dim;
  return broadcast_cycles(f, Region{1, attention_band_cols(region, a)}, group * a.element_bytes);
}

}  // namespace ws::fabric
