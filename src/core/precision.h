#pragma once
#include <string>

namespace ws {

// A number format for weights, KV or activations, loaded from catalog/precisions.toml.
// bytes_per_element counts block scales where the format has them:
//   bytes = bits/8 + scale_bits / (8 * block_elements)   (OCP MX v1.0 for mxfp4: 4 + 8/32 = 4.25 bits)
struct Precision {
  std::string name;           // "bf16", "fp8", "mxfp4", ...
  double bits_per_element = 0;
  double block_elements = 0;  // 0 = no block scales
  double scale_bits = 0;
  std::string compute_class;  // which dense FLOP/s column of a chip runs it: "fp16", "fp8" or "fp4"
  std::string source;

  double bytes_per_element() const {
    const double scale_bytes = block_elements > 0 ? scale_bits / 8.0 / block_elements : 0.0;
    return bits_per_element / 8.0 + scale_bytes;
  }
};

}  // namespace ws

#include <map>
#include <vector>

namespace ws {

// All precisions the catalog defines, by lowercase name.
struct PrecisionTable {
  std::map<std::string, Precision> by_name;

  // Throws InputError naming `where` (a flag or file:key) and listing the known names.
  const Precision& get(const std::string& name, const std::string& where) const;
  std::vector<std::string> names() const;
};

}  // namespace ws
