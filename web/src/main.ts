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
  $("cli-perf").textContent = `waferscope perf --model ${m} --hardware ${primary} --concurrency ${concurrency} --isl ${isl} --osl ${osl} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype} --format json`;
  $("cli-cost").textContent = `waferscope cost --model ${m} --hardware ${primary} --workload agentic-coding --isl ${isl} --concurrency ${concurrency} ${priceChoice === "custom" ? "--price " + num("usd_per_hour") : "--price " + priceChoice} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype} --format json`;
  $("cli-frontier").textContent = `waferscope frontier --model ${m} --hardware ${hardware.join(",")} --isl ${isl} --osl ${osl} --weight-dtype ${weight_dtype} --kv-dtype ${kv_dtype}`;
  $("cli-feasibility").textContent = `waferscope feasibility --hardware ${primary} --concurrency ${concurrency} --kv-dtype ${kv_dtype} --plot feasibility.png`;

  const tasks = {
    deploy: api("deploy", { ...common, hardware: primary, context: isl, concurrency, kv_window: "ignore" }),
    perf: api("perf", { ...common, hardware: primary, concurrency, isl, osl }),
    footprint: api("footprint", { ...model, kv_dtype }),
    cost: api("cost", { ...common, hardware: primary, workload: "agentic-coding", isl, concurrency, ...price }),
    frontier: api("frontier", { ...common, hardware, isl, osl, normalize: "device" }),
    feasibility: api("feasibility", { hardware: primary, concurrency, kv_dtype, points: 41 }),
  };
  const settled = Object.fromEntries(await Promise.all(Object.entries(tasks).map(async ([k, p]) => {
    try { return [k, { ok: true, value: await p }]; } catch (e) { return [k, { ok: false, error: (e as Error).message }]; }
  })));
  if (mine !== generation) return;  // a newer input arrived while these were in flight
  const errors: string[] = [];
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

async function init() {
  const [models, systems, chips, precisions] = await Promise.all([api("models"), api("systems"), api("chips"), api("precisions")]);
  const modelSelect = $<HTMLSelectElement>("model");
  for (const m of models as Row[]) if (m.kind === "config.json") modelSelect.add(new Option(String(m.display_name), String(m.name)));
  modelSelect.value = "gpt-oss-120b";
  const fieldset = $("hardware");
  const primary = $<HTMLSelectElement>("primary");
  for (const h of [...(systems as Row[]), ...(chips as Row[])]) primary.add(new Option(String(h.name), String(h.name)));
  primary.value = "cs-3";
  for (const h of [...(systems as Row[]), ...(chips as Row[])]) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" value="${h.name}" ${["gb300-nvl72", "dgx-b300"].includes(String(h.name)) ? "checked" : ""}/> ${h.name}`;
    fieldset.appendChild(label);
  }
  for (const id of ["weight_dtype", "kv_dtype"]) {
    const select = $<HTMLSelectElement>(id);
    if (id === "weight_dtype") select.add(new Option("checkpoint", "checkpoint"));
    for (const p of precisions as string[]) select.add(new Option(p, p));
    select.value = id === "weight_dtype" ? "checkpoint" : "bf16";
  }
  let timer: number | undefined;
  const schedule = () => { clearTimeout(timer); timer = window.setTimeout(compute, 200); };
  document.querySelectorAll("input, select, textarea").forEach((el) => el.addEventListener("input", schedule));
  document.querySelectorAll("input, select").forEach((el) => el.addEventListener("change", schedule));
  await compute();
  document.body.dataset.ready = "true";
}

init().catch((e) => { $("status").textContent = String(e); });
