#pragma once
#include <cstddef>

// Caps on every value a user controls, each with the reason it sits where it does. A request beyond a cap is
// rejected with the same clear error as any other bad input (CLI exit 2, API 422); nothing is clamped silently.
// The README's "Limits" table lists these.
namespace ws::limits {

// 10 million tokens: the longest context of any catalog model (Llama 4 Scout, 10M); a longer request is a typo.
inline constexpr double max_tokens_per_request = 1e7;
// One million concurrent sequences: more than the largest announced fleet serves at once (25,000 CS-3 at ~40 each).
inline constexpr double max_concurrency = 1e6;
// One million chips: beyond the largest announced AI cluster (~2e5 GPUs) by 5x.
inline constexpr long long max_devices = 1'000'000;
// TP/PP/EP of 4096: wider than any scale-up domain or pipeline in the catalog (NVL576, 576 LPUs per model).
inline constexpr long long max_parallelism = 4096;
// Replicas of one deployment in a simulation: 25,000 systems is the whole 750 MW OpenAI deal in CS-3.
inline constexpr long long max_replicas = 25'000;
// Ten million simulated requests: ~2 GB of request records; split longer runs (the 1M-request benchmark takes seconds).
inline constexpr long long max_simulated_requests = 10'000'000;
// Scenarios in one simulate --batch file: 10,000 (each may simulate up to the request cap); split larger studies.
inline constexpr std::size_t max_batch_scenarios = 10'000;
// Thirty days of simulated traffic: a month is the longest horizon capacity planning asks of a serving simulation.
inline constexpr double max_duration_s = 30 * 86400.0;
// Ten million requests per second: above the whole world's LLM API traffic; with duration it also meets the request cap.
inline constexpr double max_rate_per_s = 1e7;
// 1e6 USD per system-hour: three orders of magnitude above any rental price in the catalog.
inline constexpr double max_usd_per_hour = 1e6;
// Deal and BoM money per system: 1e9 USD, over 200x the dearest system in the catalog (GB300 NVL72, ~4M USD).
inline constexpr double max_usd_per_system = 1e9;
// Years of a deal's term, lifetime or depreciation: 30, the life a data-centre building is depreciated over; servers
// run 4-6 years.
inline constexpr long long max_deal_years = 30;
// A cost of capital or hurdle rate of at most 100% a year: beyond venture returns.
inline constexpr double max_cost_of_capital = 1;
// DRAM price: 1000 USD/GB, over 30x the 2026 peak of server DDR5 (~30 USD/GB) and above HBM.
inline constexpr double max_dram_usd_per_gb = 1000;
// A fleet of 10 GW critical IT: twice the largest announced AI campus (~5 GW); larger is a typo in MW vs kW.
inline constexpr double max_fleet_mw = 1e4;
// A hardware budget of 1e12 USD: above the largest announced AI build-out (~5e11 USD).
inline constexpr double max_budget_usd = 1e12;
// Bins of a length histogram: 1000 already resolve a 400k-token range to 400 tokens.
inline constexpr double max_length_bins = 1000;
// Names and paths: PATH_MAX on Linux; no catalog name comes close.
inline constexpr double max_text_chars = 4096;
// Items in one list (models, hardware, contexts, shapes): the whole catalog is ~40 names.
inline constexpr double max_list_items = 64;
// GEMM dimensions: 1e7 (the largest vocabulary x tokens a step multiplies is ~1e6); larger sizes overflow nothing but mean a typo.
inline constexpr double max_gemm_dimension = 1e7;
// Concurrency swept by the frontier: 65,536 sequences, past where every catalog deployment runs out of KV memory.
inline constexpr double max_frontier_concurrency = 65536;
// Model x hardware pairs in one frontier sweep through the API (the CLI may sweep the whole catalog).
inline constexpr double max_api_frontier_hardware = 6;
// Requests one API simulation may run: keeps one call under a few seconds on one core.
inline constexpr double max_api_simulated_requests = 200000;
// Grid points per axis of the feasibility diagram: 61 x 61 evaluations already draw smooth contours.
inline constexpr double max_feasibility_points = 61;
// Switch hops between prefill and decode pools: a three-tier Clos is 5 hops; 64 allows any real fabric.
inline constexpr double max_switch_hops = 64;
// Seeds are 64-bit unsigned integers, but JSON numbers are exact only to 2^53.
inline constexpr double max_seed = 9007199254740992.0;
// Gamma shape of inter-arrivals: 1e-3 (extremely bursty) to 1e3 (nearly regular).
inline constexpr double min_burstiness = 1e-3, max_burstiness = 1e3;
// Replay speed of a trace: 1e-6 to 1e6 times real time.
inline constexpr double min_rate_scale = 1e-6, max_rate_scale = 1e6;
// SLOs: up to a day.
inline constexpr double max_slo_s = 86400;
// Prefill token budget per iteration and running requests per replica: beyond any serving engine's setting.
inline constexpr double max_token_budget = 1e7;
inline constexpr long long max_batch = 1'000'000;
// Fabric kernel sizes (elements, GEMV/GEMM dimensions, context tokens): 1e7, the longest context of any catalog
// model; a kernel that large on a region whose SRAM cannot hold it is refused by the SRAM check before simulating.
inline constexpr double max_fabric_size = 1e7;
// Defect density of a simulated wafer: at most half the tiles dead (published wafers are near 5e-5 per core); beyond,
// no region's spares repair it.
inline constexpr double max_defect_density = 0.5;
// Defect density of `waferscope wafer`, per mm^2 of silicon: below 1 (published processes run near 0.001-0.1 per
// mm^2; at 1 per mm^2 one WSE-3 tile in 21 is dead). The command refuses 1 itself (the range is [0, 1)).
inline constexpr double max_wafer_defect_density_per_mm2 = 1;
// Monte-Carlo trials of the yield check: each draws one random number per physical tile (~1e6 on a WSE-3, ~10 ms),
// so 1000 keep one request near ten seconds on one core.
inline constexpr double max_yield_trials = 1000;
// A request body: a pasted config.json is ~10 kB; 1 MiB leaves room and refuses anything larger (413).
inline constexpr unsigned long max_body_bytes = 1 << 20;

}  // namespace ws::limits
