// End-to-end, the distributed deployment (docs/distributed.md) in Chromium: a real
// nats-server, the simulator's radar feed into `vigie ingest` at a site, `vigie track --bus`
// at the centre, and a console (`vigie serve` with `[feed] bus`). The console shows the
// centre's picture and the sensors the centre hears; when the centre dies its display says
// the picture is stale; when a tracker is back it is current again.
//
// Run with the other browser tests (npm run e2e); needs nats-server on the PATH.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruisingAirliner, launch, select } from "./browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });
// Absolute: the processes run in a folder of their own.
const bin = resolve(process.env.VIGIE_BIN ?? resolve(here, "../../target/release/vigie"));
const niger = resolve(here, "../../scenarios/niger.toml");
const dir = mkdtempSync(join(tmpdir(), "vigie-e2e-bus-"));
const pick = (lo) => lo + Math.floor(Math.random() * 2000);
const [natsPort, feedPort, httpPort, httpPort2] = [pick(21000), pick(23000), pick(25000), pick(27000)];
const bus = `nats://127.0.0.1:${natsPort}`;
const base = `http://127.0.0.1:${httpPort}`;
const base2 = `http://127.0.0.1:${httpPort2}`;
const password = "bus-console-password";

const children = [];
let browser, page, tracker;

/** A child process, its output kept in `dir/<name>.log` for when something fails. */
function run(name, cmd, args) {
  const child = spawn(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => { log += d; writeFileSync(join(dir, `${name}.log`), log); });
  child.on("error", (e) => { log += `${e}\n`; writeFileSync(join(dir, `${name}.log`), log); });
  children.push(child);
  return child;
}

async function listening(port) {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((ok) => {
      const s = connect(port, "127.0.0.1", () => { s.end(); ok(true); });
      s.on("error", () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port} (logs in ${dir})`);
}

const centre = () => run("track", bin, ["track", "--bus", bus, "--sensors", "sim/sensors.toml", "--name", "centre"]);

before(async () => {
  run("nats", "nats-server", ["-js", "-a", "127.0.0.1", "-p", String(natsPort), "-sd", join(dir, "nats")]);
  await listening(natsPort);
  execFileSync(bin, ["sim", "-q", "--duration-s", "1", "--out", join(dir, "sim"), niger]);
  writeFileSync(join(dir, "site.toml"), `site = "niamey"\nsensors = "sim/sensors.toml"\n[bus]\nurl = "${bus}"\n`
    + `[buffer]\ndir = "buffer"\n[[source]]\nname = "radars"\nurl = "udp://127.0.0.1:${feedPort}"\nformat = "asterix"\n`);
  // Two consoles, as two operators' positions.
  for (const [name, port] of [["console", httpPort], ["console2", httpPort2]]) {
    writeFileSync(join(dir, `${name}.toml`), `bind = "127.0.0.1:${port}"\nusers = "users.toml"\naudit = "${name}.jsonl"\n`
      + `[feed]\nbus = "${bus}"\nsensors = "sim/sensors.toml"\n`);
  }
  execFileSync(bin, ["user", "add", "ana", "--role", "operator", "--users", join(dir, "users.toml")],
    { input: `${password}\n` });
  run("ingest", bin, ["ingest", "--config", "site.toml"]);
  tracker = centre();
  run("console", bin, ["serve", "--config", "console.toml"]);
  run("console2", bin, ["serve", "--config", "console2.toml"]);
  run("sim", bin, ["sim", "-q", "--speed", "4", "--udp", `127.0.0.1:${feedPort}`, "--out", join(dir, "sim-run"), niger]);
  await listening(httpPort);
  await listening(httpPort2);
  ({ browser, page } = await launch());
});

after(async () => {
  await browser?.close();
  for (const c of children) c.kill("SIGKILL");
});

async function logIn(page, base) {
  await page.goto(base);
  await page.fill("#login-name", "ana");
  await page.fill("#login-password", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
}

test("a console on the bus shows the centre's picture and the sensors it hears", async () => {
  await logIn(page, base);
  await page.waitForFunction(() => document.querySelectorAll("#tracks tbody tr").length >= 3, null, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll("#sensors li.sensor.ok").length >= 3);
  assert.equal(await page.textContent("#link-state"), "live");
  // The picture's time: the bus carries Unix seconds, so today's UTC time of day.
  await page.waitForFunction(() => /^\d\d:\d\d:\d\d UTC$/.test(document.querySelector("#clock")?.textContent ?? ""));
  await page.screenshot({ path: join(artifacts, "bus-1-console.png") });
});

test("the centre dies: the console says its picture is stale; a tracker back, it is current again", async () => {
  tracker.kill("SIGKILL");
  await page.waitForFunction(() => /STALE/.test(document.querySelector("#link-state")?.textContent ?? ""), null, { timeout: 30_000 });
  assert.match(await page.getAttribute("#link-state", "class"), /down/);
  await page.screenshot({ path: join(artifacts, "bus-2-stale.png") });
  tracker = centre();
  await page.waitForFunction(() => document.querySelector("#link-state")?.textContent === "live", null, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll("#tracks tbody tr").length >= 3);
  await page.screenshot({ path: join(artifacts, "bus-3-current-again.png") });
});

test("an operator's decision at one console goes through the centre to the other", async () => {
  const id = await cruisingAirliner(page);
  await select(page, id);
  // The track panel as on a single process: position quality and contributing sensors.
  await page.waitForFunction(() => document.querySelectorAll("#sel-sensors li").length >= 1);
  assert.match(await page.textContent("#sel-fields"), /Position σ\d+ m/);
  await page.screenshot({ path: join(artifacts, "bus-4-track-panel.png") });
  await page.selectOption("#ident-choice", "hostile");
  await page.fill("#ident-note", "no flight plan, no answer");
  await page.click("#ident-form button[type=submit]");
  await page.waitForFunction(() => /hostile/.test(document.querySelector("#ident-summary")?.textContent ?? ""));
  assert.match(await page.textContent("#ident-summary"), /decided by ana/);
  // The other console has it from the centre, decided by an operator.
  const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  other.setDefaultTimeout(90_000);
  await logIn(other, base2);
  await other.waitForFunction(async (id) => {
    const t = await (await fetch(`/api/tracks/${id}`)).json();
    return t.identity === "hostile" && t.identity_decided;
  }, id, { polling: 500 });
  await other.waitForFunction((id) => window.__vigie.map.querySourceFeatures("tracks").some(
    (f) => f.properties.id === id && /hostile/.test(f.properties.icon ?? "")), id);
  await other.locator(`#tracks tbody tr[data-id="${id}"]`).click();
  await other.waitForFunction(() => /hostile/.test(document.querySelector("#ident-summary")?.textContent ?? ""));
  assert.match(await other.textContent("#ident-summary"), /decided by an operator/);
  // Software WebGL draws the map's symbols seconds after their data is in.
  await other.waitForTimeout(5_000);
  await other.screenshot({ path: join(artifacts, "bus-5-other-console.png") });
  await other.close();
  // Refreshed since from the centre's picture, the deciding console still names its operator.
  assert.equal(await page.evaluate(async (id) => (await (await fetch(`/api/tracks/${id}`)).json())
    .identification.decided_by, id), "ana");
  assert.match(await page.textContent("#ident-summary"), /hostile.*decided by ana/);
});
