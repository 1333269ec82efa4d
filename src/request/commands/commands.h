#pragma once
// One constructor per command, each in its own file here; request/registry.cpp lists them.
#include "request/command.h"

namespace ws {

Command chips_command();
Command systems_command();
Command models_command();
Command precisions_command();
Command workloads_command();
Command footprint_command();
Command gemm_command();
Command fabric_command();
Command wafer_command();
Command deploy_command();
Command tco_command();
Command deal_command();
Command bom_command();
Command perf_command();
Command frontier_command();
Command cost_command();
Command feasibility_command();
Command disagg_command();
Command offload_command();
Command simulate_command();
Command validate_command();
Command calibrate_command();
Command roadmap_command();
Command report_command();
Command fleet_command();
Command roofline_command();
Command lengths_command();

}  // namespace ws
