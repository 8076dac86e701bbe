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
