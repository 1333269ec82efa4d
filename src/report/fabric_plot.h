#pragma once
#include <string>

#include "fabric/kernels.h"

namespace ws {

// The region's physical tiles (spare columns included), its dead tiles as red squares, and the routers of the
// kernel's critical path as a line from its start (circle) to its end (triangle). PNG or SVG by the file's extension.
void plot_fabric(const fabric::Mesh& mesh, const fabric::KernelResult& result, const std::string& title, const std::string& file);

}  // namespace ws
