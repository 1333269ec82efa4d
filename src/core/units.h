#pragma once
// Units. Internally every quantity is SI (bytes, seconds, FLOP/s, watts, USD) and carries its unit in its
// name (`capacity_bytes`, `bandwidth_bytes_per_s`). Conversions happen only at the edges: catalog loading and
// output formatting.
//
// GB vs GiB, decided once: the field (and the source analysis) uses DECIMAL units, 1 GB = 1e9 bytes,
// 1 TB/s = 1e12 bytes/s, and a "128K" context is 128,000 tokens. Binary units appear only where hardware is
// built in powers of two (a WSE core's 48 KiB of SRAM), and those constants say so.

namespace ws::units {

inline constexpr double kilo = 1e3;
inline constexpr double mega = 1e6;
inline constexpr double giga = 1e9;
inline constexpr double tera = 1e12;
inline constexpr double peta = 1e15;

inline constexpr double bytes_per_mb = mega;
inline constexpr double bytes_per_gb = giga;
inline constexpr double bytes_per_tb = tera;
inline constexpr double bytes_per_kib = 1024.0;

inline constexpr double flops_per_tflop = tera;
inline constexpr double flops_per_pflop = peta;

inline constexpr double seconds_per_ms = 1e-3;
inline constexpr double seconds_per_us = 1e-6;
inline constexpr double seconds_per_hour = 3600.0;

inline constexpr double watts_per_kw = kilo;
inline constexpr double watts_per_mw = mega;
inline constexpr double params_per_billion = giga;

// "128K" in the published tables means 128,000 tokens.
inline constexpr double tokens_per_k = kilo;

}  // namespace ws::units
