// The browser half of bench/display.sh: logs in to a running display server, counts the
// WebSocket bytes per second, and measures frame times (requestAnimationFrame intervals,
// the Performance API's clock) while panning the map for 10 s. Prints one JSON line.
// Usage: node e2e/bench-pan.mjs http://127.0.0.1:18080 bench bench-password
import { chromium } from "playwright-core";

const [base, name, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
// Count every byte the display's socket receives.
await page.addInitScript(() => {
  window.__wsBytes = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => { window.__wsBytes += typeof e.data === "string" ? e.data.length : e.data.byteLength; });
    }
  };
});
await page.goto(base);
await page.fill("#login-name", name);
await page.fill("#login-password", password);
await page.click("#login-form button[type=submit]");
await page.waitForFunction(() => document.querySelectorAll("#tracks tbody tr").length > 100, null, { timeout: 60_000 });
await page.waitForTimeout(5_000);
const bytes0 = await page.evaluate(() => window.__wsBytes);
const t0 = Date.now();
const frames = await page.evaluate(() => new Promise((resolve) => {
  const map = window.__vigie.map;
  const times = [];
  const start = performance.now();
  let last = start;
  const step = (now) => {
    times.push(now - last);
    last = now;
    map.panBy([6, 2], { duration: 0 });
    if (now - start < 10_000) requestAnimationFrame(step); else resolve(times.slice(1));
  };
  requestAnimationFrame(step);
}));
const seconds = (Date.now() - t0) / 1000;
const bytes = (await page.evaluate(() => window.__wsBytes)) - bytes0;
const tracks = await page.evaluate(() => document.querySelectorAll("#tracks tbody tr").length);
await page.screenshot({ path: new URL("./artifacts/bench-5000.png", import.meta.url).pathname });
frames.sort((a, b) => a - b);
const pct = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
console.log(JSON.stringify({
  tracks, ws_bytes_per_s: Math.round(bytes / seconds), frames: frames.length,
  frame_ms_p50: +pct(0.5).toFixed(1), frame_ms_p95: +pct(0.95).toFixed(1), frame_ms_max: +frames[frames.length - 1].toFixed(1),
  fps: +(frames.length / 10).toFixed(1),
}));
await browser.close();
