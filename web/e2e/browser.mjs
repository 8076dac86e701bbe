// Debian's Chromium as the browser tests launch it: software WebGL, nothing fetched from
// outside, generous waits (software rendering on a loaded 2-core machine takes seconds).
import { chromium } from "playwright-core";

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(90_000);
  page.on("pageerror", (e) => console.error("page error:", e.message));
  return { browser, page };
}

/** The highest airliner at cruise: it stays on the picture for a whole test. */
export async function cruisingAirliner(page) {
  return page.evaluate(async () => (await (await fetch("/api/tracks")).json())
    .filter((t) => t.callsign && t.flight_level > 250).sort((a, b) => b.flight_level - a.flight_level)[0].id);
}

/** Selects track `id` through the table's filter and opens its identity panel. */
export async function select(page, id) {
  await page.fill("#filter", String(id));
  await page.locator(`#tracks tbody tr[data-id="${id}"]`).click();
  await page.fill("#filter", "");
  await page.waitForSelector("#sel-ident:not([hidden])");
}
