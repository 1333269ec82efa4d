// Browser test: headless Chromium (Debian's package) driven by playwright-core. Starts `waferscope serve` on a
// free loopback port, loads the page, changes model, hardware, context and concurrency, the business panel's
// deal and fleet inputs, and checks that the numbers shown equal the CLI's JSON for the same inputs, that API
// errors are shown, and that the roadmap what-ifs are offered in the hardware lists. Saves a screenshot. Prints "N passed, N failed".
import { spawn, execFileSync } from "node:child_process";
import { chromium } from "playwright-core";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.env.WAFERSCOPE_BIN ?? path.join(here, "../../build/waferscope");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const screenshot = process.env.SCREENSHOT ?? path.join(here, "screenshot.png");
let passed = 0, failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++; else { failed++; console.error(`FAIL ${name} ${detail}`); }
};
const cli = (args) => JSON.parse(execFileSync(binary, [...args, "--format", "json"], { encoding: "utf8" }));
const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

const server = spawn(binary, ["serve", "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
const port = await new Promise((resolve, reject) => {
  let text = "";
  server.stderr.on("data", (chunk) => {
    text += chunk;
    const m = text.match(/127\.0\.0\.1:(\d+)/);
    if (m) resolve(Number(m[1]));
  });
  server.on("exit", (code) => reject(new Error(`server exited ${code}: ${text}`)));
  setTimeout(() => reject(new Error("server did not start")), 20000);
});

const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60000 });
  const value = async (id) => Number(await page.getAttribute(`#${id}`, "data-value"));
  const settle = async () => { await page.waitForTimeout(400); await page.waitForLoadState("networkidle"); await page.waitForTimeout(300); };

  // 1. The source calculator's worked example: gpt-oss-120b, 96.3k average input, 250 concurrent -> 42 CS-3, 0.86 layers.
  let d = cli(["deploy", "--model", "gpt-oss-120b", "--hardware", "cs-3", "--context", "96300", "--concurrency", "250",
               "--kv-window", "ignore"])[0];
  check("worked example systems", (await value("systems-needed")) === 42 && d.systems_for_concurrency === 42);
  check("worked example layers", near(await value("layers-per-device"), d.layers_per_device_at_concurrency));
  const cost = cli(["cost", "--model", "gpt-oss-120b", "--hardware", "cs-3", "--isl", "96300", "--concurrency", "250"]);
  const shownCalculator = Number(await page.getAttribute("#cost-calculator td:nth-child(2)", "data-value"));
  const shownPhysical = Number(await page.getAttribute("#cost-physical td:nth-child(2)", "data-value"));
  check("calculator cost equals CLI", near(shownCalculator, cost[1].usd_per_mtok), `${shownCalculator} vs ${cost[1].usd_per_mtok}`);
  check("physical cost equals CLI", near(shownPhysical, cost[0].usd_per_mtok), `${shownPhysical} vs ${cost[0].usd_per_mtok}`);

  // 2. Roadmap what-ifs: the designs `roadmap` derives (not the catalog's) are offered, grouped, in every hardware list.
  const roadmap = cli(["roadmap"]).designs.filter((r) => r.derived === "yes").map((r) => r.hardware);
  const grouped = await page.$$eval('#primary optgroup[label^="Roadmap"] option', (os) => os.map((o) => o.value));
  check("roadmap designs grouped in the hardware list", roadmap.length > 0 && roadmap.every((h) => grouped.includes(h)),
        `${roadmap} vs ${grouped}`);
  check("roadmap chip grouped", grouped.includes("wse-3-cs4") && !grouped.includes("cs-3") && !grouped.includes("wse-3"));
  check("roadmap design on the frontier list", (await page.locator('#hardware input[value="cs-3-dram"]').count()) === 1);
  check("roadmap design in the fleet list", (await page.locator('#fleet-hardware optgroup[label^="Roadmap"] option[value="cs-4"]').count()) === 1);

  // 3. Business panel: the deal preset's cash flows and margins, and 750 MW of CS-3.
  const deal = cli(["deal", "--preset", "cerebras-openai"]);
  check("deal IRR equals CLI", near(await value("deal-irr"), deal.deal[0].project_irr), `${await value("deal-irr")}`);
  check("deal NPV equals CLI", near(await value("deal-npv"), deal.deal[0].npv_usd));
  check("deal payback equals CLI", near(await value("deal-payback"), deal.deal[0].payback_years));
  const termCells = page.locator("#deal-margin-deal-term td");
  const termMargin = Number(await termCells.nth(2).getAttribute("data-value"));
  check("deal-term margin equals CLI", near(termMargin, deal.margins[0].ebit_margin), `${termMargin}`);
  check("deal-term margin shows 33.7%", (await termCells.nth(2).textContent()) === "33.7", await termCells.nth(2).textContent());
  check("published deal-term margin shows 33.8%", (await termCells.nth(3).textContent()) === "33.8");
  check("three margins", (await page.locator("#deal-margins tbody tr").count()) === 3);
  let fleet = cli(["fleet", "--hardware", "cs-3", "--mw", "750"])[0];
  check("fleet 25,000 CS-3 at 750 MW", (await value("fleet-systems")) === 25000 && fleet.systems === 25000,
        `${await value("fleet-systems")}`);
  check("fleet systems text", (await page.textContent("#fleet-systems")) === "25,000");
  check("fleet facility MW equals CLI", near(await value("fleet-facility-mw"), fleet.facility_mw));
  check("fleet coolant equals CLI", near(await value("fleet-coolant"), fleet.coolant_flow_l_per_min));
  check("fleet tokens/day equals CLI", near(await value("fleet-tokens-day"), fleet.output_tokens_per_day));
  check("fleet revenue equals CLI", near(await value("fleet-revenue"), fleet.revenue_usd_per_year));
  const schedule = cli(["fleet", "--schedule"]);
  check("schedule rows", (await page.locator("#fleet-schedule tbody tr").count()) === schedule.length);
  // An API error (lifetime under the term) is shown in the panel, and no stale numbers stay.
  await page.fill("#deal-lifetime_years", "2");
  await settle();
  const dealStatus = await page.textContent("#deal-status");
  check("deal error shown", /lifetime_years/.test(dealStatus) && /at least the term/.test(dealStatus), dealStatus);
  check("deal numbers cleared on error", (await page.textContent("#deal-irr")) === "–");
  await page.fill("#deal-lifetime_years", "6");
  await page.fill("#deal-rental_usd_per_hour", "35");
  await settle();
  const changed = cli(["deal", "--preset", "cerebras-openai", "--rental-usd-per-hour", "35", "--lifetime-years", "6"]);
  check("deal after change equals CLI", near(await value("deal-irr"), changed.deal[0].project_irr) &&
        (await page.textContent("#deal-status")) === "", `${await value("deal-irr")} vs ${changed.deal[0].project_irr}`);
  await page.selectOption("#fleet-hardware", "cs-4");
  await page.fill("#fleet-mw", "100");
  await settle();
  fleet = cli(["fleet", "--hardware", "cs-4", "--mw", "100"])[0];
  check("fleet on a roadmap design equals CLI", (await value("fleet-systems")) === fleet.systems, `${await value("fleet-systems")}`);
  await page.fill("#fleet-mw", "-1");
  await settle();
  check("fleet error shown", /mw/.test(await page.textContent("#fleet-status")), await page.textContent("#fleet-status"));

  // 4. Change model, hardware, context and concurrency.
  await page.selectOption("#model", "llama-3.1-70b");
  await page.selectOption("#primary", "dgx-b300");
  await page.check('#hardware input[value="dgx-h100"]');
  await page.fill("#isl", "8192");
  await page.fill("#osl", "1024");
  await page.fill("#concurrency", "32");
  await settle();
  d = cli(["deploy", "--model", "llama-3.1-70b", "--hardware", "dgx-b300", "--context", "8192", "--concurrency", "32",
           "--kv-window", "ignore"])[0];
  check("deploy after change", (await value("systems-needed")) === d.systems_for_concurrency,
        `${await value("systems-needed")} vs ${d.systems_for_concurrency}`);
  const p = cli(["perf", "--model", "llama-3.1-70b", "--hardware", "dgx-b300", "--workload", "agentic-coding", "--concurrency", "32", "--isl", "8192", "--osl", "1024"])[0];
  check("speed card says what it assumed", (await page.textContent("#perf-assumed")).includes(`${Math.round(p.prefix_cached_tokens).toLocaleString("en-US")} of 8,192 input tokens cached`), await page.textContent("#perf-assumed"));
  check("perf tok/s/user equals CLI", near(await value("tok-user"), p.tokens_per_s_per_user), `${await value("tok-user")} vs ${p.tokens_per_s_per_user}`);
  check("perf per device equals CLI", near(await value("tok-device"), p.output_tokens_per_s_per_device));
  check("bound shown", (await page.textContent("#bound")) === p.bound);
  check("frontier drawn", (await page.locator("#frontier canvas").count()) > 0);

  // 5. The calculator on a roadmap what-if.
  await page.selectOption("#primary", "cs-3-dram");
  await settle();
  d = cli(["deploy", "--model", "llama-3.1-70b", "--hardware", "cs-3-dram", "--context", "8192", "--concurrency", "32",
           "--kv-window", "ignore"])[0];
  check("deploy on a roadmap design", (await value("systems-needed")) === d.systems_for_concurrency,
        `${await value("systems-needed")} vs ${d.systems_for_concurrency}`);
  await page.fill("#fleet-mw", "750");
  await page.selectOption("#fleet-hardware", "cs-3");
  await settle();
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  check("browser run", false, String(e));
} finally {
  await browser.close();
  server.kill();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
