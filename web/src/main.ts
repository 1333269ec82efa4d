import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";

type Row = Record<string, number | string | null>;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function api(path: string, body?: object): Promise<any> {
  const response = await fetch(`/api/${path}`, body
    ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }
    : undefined);
  const json = await response.json();
  if (!response.ok) throw new Error(`${json.error?.field ? json.error.field + ": " : ""}${json.error?.message ?? response.status}`);
  return json;
}

// Shows a number and keeps the exact value the API returned, so a test can compare it with the CLI.
function show(id: string, value: number | string | null | undefined, digits = 1, scale = 1) {
  const el = $(id);
  if (value === null || value === undefined) { el.textContent = "–"; el.removeAttribute("data-value"); return; }
  el.dataset.value = String(value);
  el.textContent = typeof value === "number" ? (value / scale).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : value;
}

// The primary hardware first, then the others ticked for the frontier.
function selectedHardware(): string[] {
  const primary = $<HTMLSelectElement>("primary").value;
  const others = [...document.querySelectorAll<HTMLInputElement>("#hardware input:checked")].map((i) => i.value);
  return [primary, ...others.filter((h) => h !== primary)];
}

function modelFields(): Record<string, unknown> {
  const text = $<HTMLTextAreaElement>("config").value.trim();
  if (text) return { config: JSON.parse(text) };
  return { model: $<HTMLSelectElement>("model").value };
}

function modelFlag(): string {
  return $<HTMLTextAreaElement>("config").value.trim() ? "your-config.json" : $<HTMLSelectElement>("model").value;
}

function num(id: string): number { return Number($<HTMLInputElement>(id).value); }

let frontierPlot: uPlot | null = null;
let generation = 0;
const notices: string[] = [];  // problems found at start-up, kept on screen by every compute

async function compute() {
  const mine = ++generation;
  const status = $("status");
  status.textContent = "";
  const hardware = selectedHardware();
  if (hardware.length === 0) { status.textContent = "choose at least one hardware"; return; }
  const primary = hardware[0];
  let model: Record<string, unknown>;
  try { model = modelFields(); } catch { status.textContent = "config.json: not valid JSON"; return; }
  const isl = num("isl"), osl = num("osl"), concurrency = num("concurrency");
  const weight_dtype = $<HTMLSelectElement>("weight_dtype").value, kv_dtype = $<HTMLSelectElement>("kv_dtype").value;
  const priceChoice = $<HTMLSelectElement>("price").value;
  const price: Record<string, unknown> = priceChoice === "custom" ? { usd_per_hour: num("usd_per_hour") } : { price: priceChoice };
  const m = modelFlag();
  const common = { ...model, weight_dtype, kv_dtype };
  $("cli-deploy").textContent = `waferscope deploy --model ${m} --hardware ${primary} --context ${isl} --concurrency ${concurrency} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype} --kv-window ignore --format json`;
  // One workload assumption on the page: the speed card takes the agentic workload's cache-read share of the input
  // as not prefilled, as the cost table does (otherwise every 96k prompt is prefilled in full and stalls decode).
  $("cli-perf").textContent = `waferscope perf --model ${m} --hardware ${primary} --workload agentic-coding --concurrency ${concurrency} --isl ${isl} --osl ${osl} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype} --format json`;
  $("cli-cost").textContent = `waferscope cost --model ${m} --hardware ${primary} --workload agentic-coding --isl ${isl} --concurrency ${concurrency} ${priceChoice === "custom" ? "--price " + num("usd_per_hour") : "--price " + priceChoice} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype} --format json`;
  $("cli-frontier").textContent = `waferscope frontier --model ${m} --hardware ${hardware.join(",")} --isl ${isl} --osl ${osl} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype}`;
  $("cli-feasibility").textContent = `waferscope feasibility --hardware ${primary} --concurrency ${concurrency} --kv-dtype ${kv_dtype} --plot feasibility.png`;

  const tasks = {
    deploy: api("deploy", { ...common, hardware: primary, context: isl, concurrency, kv_window: "ignore" }),
    perf: api("perf", { ...common, hardware: primary, workload: "agentic-coding", concurrency, isl, osl }),
    footprint: api("footprint", { ...model, kv_dtype }),
    cost: api("cost", { ...common, hardware: primary, workload: "agentic-coding", isl, concurrency, ...price }),
    frontier: api("frontier", { ...common, hardware, isl, osl, normalize: "device" }),
    feasibility: api("feasibility", { hardware: primary, concurrency, kv_dtype, points: 41 }),
  };
  const settled = Object.fromEntries(await Promise.all(Object.entries(tasks).map(async ([k, p]) => {
    try { return [k, { ok: true, value: await p }]; } catch (e) { return [k, { ok: false, error: (e as Error).message }]; }
  })));
  if (mine !== generation) return;  // a newer input arrived while these were in flight
  const errors: string[] = [...notices];
  const s = settled as Record<string, { ok: boolean; value?: any; error?: string }>;
  for (const [k, v] of Object.entries(s)) if (!v.ok) errors.push(`${k}: ${v.error}`);
  status.textContent = errors.join(" · ");

  if (s.deploy.ok) {
    const d: Row = s.deploy.value[0];
    show("systems-needed", d.systems_for_concurrency as number, 0);
    show("layers-per-device", d.layers_per_device_at_concurrency as number, 2);
    const kvBytes = (d.concurrency as number) * (d.kv_bytes_per_sequence as number);
    show("weights-gb", d.weight_bytes as number, 1, 1e9);
    show("kv-gb", kvBytes, 1, 1e9);
    show("kv-share", (d.kv_share_of_memory as number) * 100, 1);
    $("bar-weights").style.flex = String(d.weight_bytes);
    $("bar-kv").style.flex = String(kvBytes);
  }
  if (s.perf.ok) {
    const p: Row = s.perf.value[0];
    show("tok-user", p.tokens_per_s_per_user as number, 1);
    show("bound", p.bound as string);
    show("tok-device", p.output_tokens_per_s_per_device as number, 0);
    show("ttft", p.ttft_s as number, 1, 1e-3);
    const cached = p.prefix_cached_tokens as number;
    $("perf-assumed").textContent = `Assumed: agentic-coding workload, ${Math.round(cached).toLocaleString("en-US")} of ` +
      `${Math.round(p.isl as number).toLocaleString("en-US")} input tokens cached (not prefilled; their KV taken as on the device).`;
  } else {
    for (const id of ["tok-user", "bound", "tok-device", "ttft"]) show(id, null);
  }
  if (s.footprint.ok) {
    const active = s.footprint.value[0].active_params as number;
    show("tok-user-fit", 3322 / Math.pow(active / 1e9, 0.294), 0);  // the calculator's fit, catalog/peers.toml
  }
  const costBody = document.querySelector("#cost tbody")!;
  costBody.innerHTML = "";  // never leave another hardware's costs on screen
  if (s.cost.ok) {
    const body = costBody;
    for (const c of s.cost.value as Row[]) {
      const tr = document.createElement("tr");
      tr.id = `cost-${c.rule}`;
      const cells = [c.rule, c.usd_per_mtok, c.usd_per_mtok_cache_read, c.usd_per_mtok_cache_write, c.usd_per_mtok_fresh_input,
                     c.usd_per_mtok_output, c.gross_margin];
      cells.forEach((v, i) => {
        const td = document.createElement("td");
        if (typeof v === "number") { td.dataset.value = String(v); td.textContent = v.toFixed(i === 6 ? 3 : 4); }
        else td.textContent = String(v);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }
  if (s.frontier.ok) drawFrontier(s.frontier.value as Row[], hardware);
  if (s.feasibility.ok && s.footprint.ok) drawFeasibility(s.feasibility.value, s.footprint.value[0].total_params as number, isl);
}

function drawFrontier(rows: Row[], hardware: string[]) {
  const xs = [...new Set(rows.map((r) => Math.log10(r.tokens_per_s_per_user as number)))].sort((a, b) => a - b);
  const series: (number | null)[][] = hardware.map((h) => xs.map((x) => {
    const hit = rows.find((r) => r.hardware === h && Math.log10(r.tokens_per_s_per_user as number) === x);
    return hit ? Math.log10(hit.output_tokens_per_s_per_device as number) : null;
  }));
  const colors = ["#7b2cbf", "#2a9d8f", "#e9a23b", "#3a86ff", "#e63946", "#555"];
  const opts: uPlot.Options = {
    width: 900, height: 360,
    scales: { x: { time: false } },
    axes: [{ label: "log10 tokens/s per user", stroke: "#333" }, { label: "log10 output tok/s per device", stroke: "#333" }],
    series: [{}, ...hardware.map((h, i) => ({ label: h, stroke: colors[i % colors.length], width: 2, spanGaps: true,
                                              points: { show: true, size: 5 } }))],
  };
  frontierPlot?.destroy();
  frontierPlot = new uPlot(opts, [xs, ...series] as uPlot.AlignedData, $("frontier"));
}

function drawFeasibility(grid: { params: number[]; input_tokens: number[]; systems: number[][] }, params: number, isl: number) {
  const canvas = $<HTMLCanvasElement>("feasibility");
  const ctx = canvas.getContext("2d")!;
  const w = canvas.width, h = canvas.height, n = grid.input_tokens.length, m = grid.params.length;
  const maxSystems = Math.max(...grid.systems.flat());
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const v = Math.log(grid.systems[i][j]) / Math.log(Math.max(2, maxSystems));
    ctx.fillStyle = `hsl(${260 - 220 * v}, 70%, ${35 + 25 * v}%)`;
    ctx.fillRect((j / n) * w, h - ((i + 1) / m) * h, w / n + 1, h / m + 1);
  }
  ctx.fillStyle = "#fff";
  ctx.font = "11px sans-serif";
  for (let i = 0; i < m; i++) for (let j = 1; j < n; j++)  // contour crossings at 32, 64, 128
    for (const level of [32, 64, 128])
      if (grid.systems[i][j - 1] < level && grid.systems[i][j] >= level) ctx.fillRect((j / n) * w - 1, h - ((i + 0.5) / m) * h - 1, 3, 3);
  const lx = Math.log(grid.input_tokens[0]), hx = Math.log(grid.input_tokens[n - 1]);
  const ly = Math.log(grid.params[0]), hy = Math.log(grid.params[m - 1]);
  const x = ((Math.log(isl) - lx) / (hx - lx)) * w, y = h - ((Math.log(params) - ly) / (hy - ly)) * h;
  ctx.fillStyle = "#000";
  ctx.beginPath();
  ctx.arc(Math.min(w - 6, Math.max(6, x)), Math.min(h - 6, Math.max(6, y)), 6, 0, 2 * Math.PI);
  ctx.fill();
}

// The deal's overridable fields (`waferscope deal --help`); an empty input leaves the preset's value, shown greyed.
const dealFields: [string, string][] = [
  ["rental_usd_per_hour", "Rental, USD/system-hour"],
  ["rerental_usd_per_hour", "Re-rental after term, USD/h"],
  ["billed_utilization", "Billed utilisation, 0–1"],
  ["term_years", "Term, years"],
  ["lifetime_years", "Lifetime, years"],
  ["accounting_life_years", "Accounting life, years"],
  ["capex_usd", "Capex, USD/system"],
  ["prepay_usd", "Prepay, USD/system"],
  ["prepay_years", "Prepay period, years"],
  ["cost_of_capital", "Cost of capital, /year"],
  ["shutdown_ebitda_margin", "Shutdown EBITDA margin"],
];
const flag = (field: string) => "--" + field.replace(/_/g, "-");

function tableRows(tbody: Element, rows: (number | string | null)[][], format: (v: number, column: number) => string, ids?: string[]) {
  tbody.innerHTML = "";
  rows.forEach((cells, r) => {
    const tr = document.createElement("tr");
    if (ids) tr.id = ids[r];
    cells.forEach((v, i) => {
      const td = document.createElement("td");
      if (typeof v === "number") { td.dataset.value = String(v); td.textContent = format(v, i); }
      else td.textContent = v === null ? "–" : String(v);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
}

const percent = (v: number) => (v * 100).toFixed(1);
let dealGeneration = 0;

async function computeDeal() {
  const mine = ++dealGeneration;
  const status = $("deal-status");
  const request: Record<string, unknown> = { preset: $<HTMLInputElement>("deal-preset").value.trim() || "cerebras-openai" };
  const hardware = $<HTMLSelectElement>("deal-hardware").value;
  if (hardware) request.hardware = hardware;
  for (const [field] of dealFields) {
    const text = $<HTMLInputElement>(`deal-${field}`).value.trim();
    if (text !== "") request[field] = Number(text);
  }
  const warrant = $<HTMLSelectElement>("deal-warrant").value;
  if (warrant !== "net") request.warrant = warrant;
  $("cli-deal").textContent = `waferscope deal ${Object.entries(request).map(([k, v]) => `${flag(k)} ${v}`).join(" ")} --format json`;
  let reply: any;
  try { reply = await api("deal", request); } catch (e) { reply = e as Error; }
  if (mine !== dealGeneration) return;
  const tbody = document.querySelector("#deal-margins tbody")!;
  if (reply instanceof Error) {  // show the API's message, never numbers from other inputs
    status.textContent = `deal: ${reply.message}`;
    for (const id of ["deal-irr", "deal-npv", "deal-payback", "deal-revenue", "deal-opex", "deal-capex", "deal-after-term"]) show(id, null);
    tbody.innerHTML = "";
    return;
  }
  status.textContent = "";
  const d: Row = reply.deal[0];
  show("deal-irr", d.project_irr as number | null, 1, 0.01);
  show("deal-npv", d.npv_usd as number, 0);
  show("deal-payback", d.payback_years as number | null, 2);
  show("deal-revenue", d.revenue_year1_usd as number, 0);
  show("deal-opex", d.opex_year1_usd as number, 0);
  show("deal-capex", d.capex_usd as number, 0);
  show("deal-after-term", d.after_term as string);
  const margins = reply.margins as Row[];
  tableRows(tbody, margins.map((m) => [m.policy, m.depreciation_years, m.ebit_margin, m.published_ebit_margin, m.difference_points]),
            (v, i) => (i === 2 || i === 3 ? percent(v) : i === 4 ? v.toFixed(2) : String(v)),
            margins.map((m) => `deal-margin-${String(m.policy).replace(/[^a-z0-9]+/gi, "-")}`));
  const assumed = new Map((reply.assumptions as Row[]).map((a) => [String(a.key), a.value]));
  for (const [field] of dealFields) {
    const v = assumed.get(field);
    $<HTMLInputElement>(`deal-${field}`).placeholder = typeof v === "number" ? String(v) : "";
  }
}

let fleetGeneration = 0;
const fleetIds = ["fleet-systems", "fleet-kw", "fleet-replicas", "fleet-model", "fleet-facility-mw", "fleet-pue", "fleet-coolant",
                  "fleet-tokens-day", "fleet-tok-user", "fleet-revenue", "fleet-rental"];

async function computeFleet() {
  const mine = ++fleetGeneration;
  const status = $("fleet-status");
  const hardware = $<HTMLSelectElement>("fleet-hardware").value, mw = num("fleet-mw");
  $("cli-fleet").textContent = `waferscope fleet --hardware ${hardware} --mw ${mw} --format json`;
  $("cli-schedule").textContent = "waferscope fleet --schedule --format json";
  const settle = async (p: Promise<any>) => { try { return await p; } catch (e) { return e as Error; } };
  const [fleet, schedule] = await Promise.all([settle(api("fleet", { hardware, mw })), settle(api("fleet", { schedule: true }))]);
  if (mine !== fleetGeneration) return;
  const errors: string[] = [];
  if (fleet instanceof Error) {
    errors.push(`fleet: ${fleet.message}`);
    for (const id of fleetIds) show(id, null);
  } else {
    const f: Row = fleet[0];
    show("fleet-systems", f.systems as number, 0);
    show("fleet-kw", f.all_in_kw_per_system as number, 1);
    show("fleet-replicas", f.replicas as number, 0);
    show("fleet-model", f.model as string);
    show("fleet-facility-mw", f.facility_mw as number, 1);
    show("fleet-pue", f.pue as number, 2);
    show("fleet-coolant", f.coolant_flow_l_per_min as number | null, 0);
    show("fleet-tokens-day", f.output_tokens_per_day as number, 1, 1e9);
    show("fleet-tok-user", f.tokens_per_s_per_user as number, 1);
    show("fleet-revenue", f.revenue_usd_per_year as number | null, 2, 1e9);
    show("fleet-rental", f.rental_usd_per_year as number | null, 2, 1e9);
  }
  const tbody = document.querySelector("#fleet-schedule tbody")!;
  if (schedule instanceof Error) { errors.push(`schedule: ${schedule.message}`); tbody.innerHTML = ""; }
  else tableRows(tbody, (schedule as Row[]).map((r) => [r.year, r.tranche_mw, r.required_mw, r.lined_up_mw, r.lined_up_published,
                                                       r.shortfall_mw, r.shortfall_systems]),
                 (v, i) => (i === 0 ? String(v) : v.toLocaleString("en-US", { maximumFractionDigits: 0 })));
  status.textContent = errors.join(" · ");
}

// Roadmap what-ifs: the systems `roadmap` derives from physical parameters (not the catalog's published ones), and their chips.
async function roadmapHardware(systems: Row[]): Promise<Set<string>> {
  const designs = (await api("roadmap", {})).designs as Row[];
  const derived = new Set(designs.filter((d) => d.derived === "yes").map((d) => String(d.hardware)));
  for (const s of systems) if (derived.has(String(s.name))) derived.add(String(s.chip));
  return derived;
}

function addGroup(select: HTMLSelectElement, label: string, names: string[]) {
  if (names.length === 0) return;
  const group = document.createElement("optgroup");
  group.label = label;
  for (const n of names) group.appendChild(new Option(n, n));
  select.appendChild(group);
}

const roadmapLabel = "Roadmap what-ifs (assumptions)";

async function init() {
  const [models, systems, chips, precisions] = await Promise.all([api("models"), api("systems"), api("chips"), api("precisions")]);
  const modelSelect = $<HTMLSelectElement>("model");
  for (const m of models as Row[]) if (m.kind === "config.json") modelSelect.add(new Option(String(m.display_name), String(m.name)));
  modelSelect.value = "gpt-oss-120b";
  let roadmap = new Set<string>();
  try { roadmap = await roadmapHardware(systems as Row[]); }
  catch (e) { notices.push(`roadmap: ${(e as Error).message}`); }  // the catalog still lists them, ungrouped
  const names = (rows: Row[]) => rows.map((r) => String(r.name));
  const catalogSystems = names(systems).filter((n) => !roadmap.has(n)), catalogChips = names(chips).filter((n) => !roadmap.has(n));
  const roadmapSystems = names(systems).filter((n) => roadmap.has(n)), roadmapChips = names(chips).filter((n) => roadmap.has(n));
  const primary = $<HTMLSelectElement>("primary");
  addGroup(primary, "Systems", catalogSystems);
  addGroup(primary, "Chips", catalogChips);
  addGroup(primary, roadmapLabel, [...roadmapSystems, ...roadmapChips]);
  primary.value = "cs-3";
  const fieldset = $("hardware");
  const tick = (name: string) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" value="${name}" ${["gb300-nvl72", "dgx-b300"].includes(name) ? "checked" : ""}/> ${name}`;
    fieldset.appendChild(label);
  };
  [...catalogSystems, ...catalogChips].forEach(tick);
  if (roadmap.size > 0) {
    const heading = document.createElement("p");
    heading.className = "group";
    heading.textContent = roadmapLabel;
    fieldset.appendChild(heading);
  }
  [...roadmapSystems, ...roadmapChips].forEach(tick);
  // The business panel prices systems (chips have no cost-of-ownership inputs).
  for (const id of ["deal-hardware", "fleet-hardware"]) {
    const select = $<HTMLSelectElement>(id);
    addGroup(select, "Systems", catalogSystems);
    addGroup(select, roadmapLabel, roadmapSystems);
  }
  $<HTMLSelectElement>("fleet-hardware").value = "cs-3";
  const inputs = $("deal-inputs");
  for (const [field, text] of dealFields) {
    const label = document.createElement("label");
    label.textContent = text + " ";
    const input = document.createElement("input");
    input.id = `deal-${field}`;
    input.type = "number";
    input.step = "any";
    label.appendChild(input);
    inputs.appendChild(label);
  }
  for (const id of ["weight_dtype", "kv_dtype"]) {
    const select = $<HTMLSelectElement>(id);
    if (id === "weight_dtype") select.add(new Option("checkpoint", "checkpoint"));
    for (const p of precisions as string[]) select.add(new Option(p, p));
    select.value = id === "weight_dtype" ? "checkpoint" : "bf16";
  }
  const debounced = (run: () => Promise<void>) => {
    let timer: number | undefined;
    return () => { clearTimeout(timer); timer = window.setTimeout(run, 200); };
  };
  const listen = (selector: string, run: () => Promise<void>) => {
    const schedule = debounced(run);
    document.querySelectorAll(selector).forEach((el) => { el.addEventListener("input", schedule); el.addEventListener("change", schedule); });
  };
  listen("#controls input, #controls select, #controls textarea", compute);
  listen("#deal input, #deal select", computeDeal);
  listen("#fleet input, #fleet select", computeFleet);
  await Promise.all([compute(), computeDeal(), computeFleet()]);
  document.body.dataset.ready = "true";
}

init().catch((e) => { $("status").textContent = String(e); });
