// Browser test: headless Chromium (Debian's package) driven by playwright-core. Starts `waferscope serve` on a
// free loopback port, loads the page, changes model, hardware, context and concurrency, and checks that the
// numbers shown equal the CLI's JSON for the same inputs. Saves a screenshot. Prints "N passed, N failed".
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

  // 2. Change model, hardware, context and concurrency.
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
  const p = cli(["perf", "--model", "llama-3.1-70b", "--hardware", "dgx-b300", "--concurrency", "32", "--isl", "8192", "--osl", "1024"])[0];
  check("perf tok/s/user equals CLI", near(await value("tok-user"), p.tokens_per_s_per_user), `${await value("tok-user")} vs ${p.tokens_per_s_per_user}`);
  check("perf per device equals CLI", near(await value("tok-device"), p.output_tokens_per_s_per_device));
  check("bound shown", (await page.textContent("#bound")) === p.bound);
  check("frontier drawn", (await page.locator("#frontier canvas").count()) > 0);
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  check("browser run", false, String(e));
} finally {
  await browser.close();
  server.kill();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
