#include "perf/wafer_device.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "perf/hbm_gpu_device.h"

namespace ws {

WaferDevice::WaferDevice(const DeviceConstants& c)
    : phase_setup_cycles_(c.get("phase_setup_cycles")),
      wafer_hop_latency_s_(c.get("wafer_hop_latency_s")),
      usable_memory_fraction_(c.get("usable_memory_fraction")) {}

StepTime WaferDevice::stage_time(const StepWork& work, int first_layer, int last_layer, bool first_stage,
                                 bool last_stage, const Hardware& hardware, const Parallelism&) const {
  if (!hardware.chip.fabric)
    throw std::invalid_argument("chip '" + hardware.chip.name + "' is a wafer but has no [fabric] facts in the catalog");
  const WaferFabric& fabric = *hardware.chip.fabric;
  const double cores = fabric.cores_enabled;
  const double clock = fabric.clock_hz;
  const double core_bandwidth = hardware.chip.main_memory.bandwidth_bytes_per_s / cores;
  const double core_flops = peak_flops_per_s(hardware.chip, work.compute_class) / cores;

  double resident = 0;
  for (int i = first_layer; i < last_layer; ++i) resident += work.layer(i).weight_bytes_resident();
  if (first_stage) resident += work.embedding.weight_bytes_resident;
  if (last_stage) resident += work.head.weight_bytes_resident;
  const double bytes_per_core = std::max(resident / cores, 1.0);
  const double layers_here = std::max(1, last_layer - first_layer);

  // Every layer's weights stay in their own region, so the tokens of a step (a batch of sequences, drafted
  // tokens being verified, a prefill chunk) stream through the wafer's layers in sub-chunks: while layer i
  // works on one sub-chunk, layer i-1 works on the next. A stage then takes one pass of the first sub-chunk
  // plus one slowest layer per further sub-chunk. The sub-chunk size that minimises that is used.
  auto pass = [&](double sub_tokens) {
    const double scale = sub_tokens / std::max(work.tokens, 1.0);
    StepTime t;
  t.record_terms = work.record_terms;
    double slowest_layer = 0;
    auto phase_time = [&](const PhaseWork& p, int layer, StepTime& into) {
      auto label = [&p, layer] { return layer < 0 ? p.name : fmt::format("layer {} {}", layer, p.name); };
      double region, active, streamed;
      if (p.weight_bytes_resident > 0) {
        region = std::max(1.0, p.weight_bytes_resident / bytes_per_core);
        active = std::clamp(p.weight_bytes_read / bytes_per_core, 1.0, region);
        // A sub-chunk of a MoE batch only wakes the experts its own tokens pick.
        if (p.experts_touched > 0 && scale < 1)
          active = std::max(1.0, active * expected_experts_touched(p.experts, p.experts_per_token, sub_tokens) /
                                     p.experts_touched);
        streamed = bytes_per_core;  // each active core reads its own share
      } else {  // attention: the KV of this layer sits in its share of the wafer's leftover SRAM
        region = cores / layers_here;
        active = region;
        streamed = scale * (p.kv_bytes_read + p.kv_bytes_written) / region;
      }
      // Dense phase: broadcast the input across the region and reduce back (2 x its side). MoE phase: the
      // token crosses the experts' region once to reach its experts, then broadcast/reduce inside each one.
      const double hops = p.experts_touched > 0
                              ? std::sqrt(region) + 2.0 * std::sqrt(std::max(1.0, active / p.experts_touched))
                              : 2.0 * std::sqrt(region);
      into.add([&] { return label() + " mesh"; }, bound::fabric_latency,
               (phase_setup_cycles_ + fabric.hop_latency_cycles * hops) / clock);
      const double memory_s = streamed / core_bandwidth;
      const double compute_s = scale * p.flops / (active * core_flops);
      if (memory_s >= compute_s) into.add(label, bound::memory_bandwidth, memory_s);
      else into.add(label, bound::compute, compute_s);
    };
    StepTime layer;
    for (int i = first_layer; i < last_layer; ++i) {
      // A layer with the same work as the one before takes the same time (reused when terms are not named).
      if (t.record_terms || i == first_layer || !work.layers[i].repeats_previous) {
        layer = StepTime{};
        layer.record_terms = t.record_terms;
        for (const auto& phase : work.layer(i).phases) phase_time(phase, i, layer);
      }
      slowest_layer = std::max(slowest_layer, layer.seconds);
      t.append(layer);
    }
    if (last_stage) {
      phase_time(work.head, -1, t);
      // Sampling: an argmax reduction across the head's region.
      const double head_region = std::max(1.0, work.head.weight_bytes_resident / bytes_per_core);
      t.add("sampling reduction", bound::fabric_latency,
            (phase_setup_cycles_ + 2.0 * fabric.hop_latency_cycles * std::sqrt(head_region)) / clock);
    }
    const double more = std::ceil(work.tokens / sub_tokens) - 1;
    if (more > 0)
      t.add([&] { return fmt::format("{:.0f} more sub-chunks of {:.0f} tokens through the slowest layer", more, sub_tokens); },
            bound::compute, more * slowest_layer);
    return t;
  };
  StepTime best = pass(std::max(work.tokens, 1.0));
  for (double sub = 1; sub < work.tokens; sub *= 4) {
    StepTime candidate = pass(sub);
    if (candidate.seconds < best.seconds) best = std::move(candidate);
  }
  return best;
}

StepTime WaferDevice::stage_hop_time(double activation_bytes, const Hardware& hardware) const {
  StepTime t;
  const double link = hardware.chip.scale_out_bytes_per_s.value_or(150e9);
  t.add("wafer hop", bound::off_chip_io, wafer_hop_latency_s_ + activation_bytes / link);
  return t;
}

}  // namespace ws
