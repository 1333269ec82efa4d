#pragma once
#include <string>

#include "fabric/layout.h"

namespace ws {

// One wafer of a layout: each part's band of cores as coloured rectangles on the logical fabric (experts as
// alternating cells), and the token's path through the wafer as a line from its first stop (circle) to its last
// (triangle). PNG or SVG by the file's extension.
void plot_wafer_layout(const fabric::WaferLayout& layout, int wafer, const std::string& title, const std::string& file);

}  // namespace ws
