// End-to-end: the real binary (`vigie demo`) and Debian's Chromium driven by playwright-core.
// Covers login, tracks appearing and moving, selecting a track on the map and in the table,
// switching language, and that no request leaves 127.0.0.1. Screenshots go to
// e2e/artifacts/ (look at them).
//
// Run: npm run e2e (after `cargo build --release`); VIGIE_BIN and CHROMIUM override paths.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruisingAirliner, launch, select } from "./browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });
const bin = process.env.VIGIE_BIN ?? resolve(here, "../../target/release/vigie");
const port = 18000 + Math.floor(Math.random() * 2000);
// The session's journal: the exercise the instructor starts is recorded to e2e-2.vj.
const recordings = mkdtempSync(join(tmpdir(), "vigie-e2e-"));
const base = `http://127.0.0.1:${port}`;

let server, browser, page, password, instructorPassword;
const requests = [];

before(async () => {
  // At 10× the hour lasts six minutes: long enough for every test, even on a loaded machine.
  server = spawn(bin, ["demo", "--speed", "10", "--bind", `127.0.0.1:${port}`, "--journal", join(recordings, "e2e.vj")],
    { stdio: ["ignore", "pipe", "pipe"] });
  server.stderr.on("data", () => {});
  password = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`no login line from vigie demo: ${out}`)), 30_000);
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/demo \/ ([0-9a-f]+)/);
      const i = out.match(/instructor \/ ([0-9a-f]+)/);
      if (m && i) { clearTimeout(timer); instructorPassword = i[1]; ok(m[1]); }
    });
    server.on("exit", (code) => fail(new Error(`vigie demo exited with ${code}: ${out}`)));
  });
  ({ browser, page } = await launch());
  page.on("request", (r) => requests.push(r.url()));
  page.on("dialog", (d) => { console.error("dialog:", d.message()); void d.dismiss(); });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGINT");
});

test("a wrong password is refused, the right one logs in", async () => {
  await page.goto(base);
  await page.fill("#login-name", "demo");
  await page.fill("#login-password", "not-the-password");
  await page.click("#login-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#login-error")?.textContent?.length > 0);
  await page.screenshot({ path: join(artifacts, "1-login-refused.png") });
  await page.fill("#login-password", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
  assert.match(await page.textContent("#user"), /demo \(operator\)/);
});

test("tracks appear, in the table and on the map, and move", async () => {
  await page.waitForFunction(() => document.querySelectorAll("#tracks tbody tr").length >= 3, null, { timeout: 60_000 });
  await page.waitForFunction(() => window.__vigie?.map?.querySourceFeatures("tracks").length >= 3, null, { timeout: 30_000 });
  const id = Number(await page.getAttribute("#tracks tbody tr", "data-id"));
  const where = () => page.evaluate(async (id) => (await (await fetch(`/api/tracks/${id}`)).json()), id);
  const a = await where();
  await page.waitForTimeout(3_000);
  const b = await where();
  assert.ok(b.time_s > a.time_s, `track ${id} was updated`);
  assert.ok(a.lat_deg !== b.lat_deg || a.lon_deg !== b.lon_deg, `track ${id} moved`);
  await page.screenshot({ path: join(artifacts, "2-picture.png") });
});

test("clicking a track on the map opens its details", async () => {
  const point = await page.evaluate(() => {
    const map = window.__vigie.map;
    const f = map.queryRenderedFeatures(undefined, { layers: ["tracks"] })[0];
    const p = map.project(f.geometry.coordinates);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y, id: f.properties.id };
  });
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector("#selected:not([hidden])");
  assert.equal(await page.textContent("#sel-id"), String(point.id));
  assert.ok((await page.$$("#sel-sensors li")).length >= 1, "contributing sensors are listed");
  await page.screenshot({ path: join(artifacts, "3-selected.png") });
});

test("selecting in the table selects on the map", async () => {
  const row = page.locator("#tracks tbody tr").nth(1);
  const id = await row.getAttribute("data-id");
  await row.click();
  await page.waitForFunction((id) => document.querySelector("#sel-id")?.textContent === id, id);
  await page.waitForFunction((id) => window.__vigie.map.querySourceFeatures("tracks").some(
    (f) => String(f.properties.id) === id && f.properties.selected), id);
});

test("the range and bearing tool measures between two clicks", async () => {
  await page.click("#measure");
  const box = await page.locator("#map canvas").boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.3);
  const label = await page.waitForFunction(() => window.__vigie.map.querySourceFeatures("measure")
    .map((f) => f.properties.label).find((l) => /NM/.test(l ?? "")));
  assert.match(await label.jsonValue(), /^\d+\.\d NM · \d+\.\d km · \d{3}°$/);
  await page.screenshot({ path: join(artifacts, "4-measure.png") });
  await page.click("#measure");
});

test("the radar coverage lies over the map, layer by layer", async () => {
  await page.waitForFunction(() => document.querySelectorAll("#coverage option").length >= 4);
  await page.selectOption("#coverage", "1000");
  await page.waitForFunction(() => window.__vigie.map.getLayer("coverage") && window.__vigie.map.isSourceLoaded("coverage"));
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(artifacts, "4-coverage.png") });
  await page.selectOption("#coverage", "");
  await page.waitForFunction(() => !window.__vigie.map.getLayer("coverage"));
});

test("an operator sets a track's identity, and the display says who and why", async () => {
  // An airliner at cruise: it stays on the picture for the whole test (a new track may be
  // clutter that drops, an old one may land, on a loaded machine).
  const id = await cruisingAirliner(page);
  await select(page, id);
  assert.ok((await page.$$("#ident-evidence li")).length + (await page.$$("#ident-history li")).length >= 1,
    "vigie's evidence or changes are shown");
  await page.selectOption("#ident-choice", "hostile");
  await page.fill("#ident-note", "seen armed by the patrol");
  await page.click("#ident-form button[type=submit]");
  await page.waitForFunction(() => /hostile/.test(document.querySelector("#ident-summary")?.textContent ?? ""));
  assert.match(await page.textContent("#ident-summary"), /decided by demo/);
  assert.match(await page.textContent("#ident-history li"), /hostile.*demo.*seen armed by the patrol/);
  // The symbol follows (in an exercise, STANAG 1241's faker), and vigie's rules no longer
  // change it.
  await page.waitForFunction((id) => window.__vigie.map.querySourceFeatures("tracks").some(
    (f) => f.properties.id === id && f.properties.icon === "sym-x-hostile"), id);
  const detail = await page.evaluate(async (id) => (await (await fetch(`/api/tracks/${id}`)).json()), id);
  assert.equal(detail.identity, "hostile");
  assert.equal(detail.identification.decided_by, "demo");
  await page.screenshot({ path: join(artifacts, "5-identity.png") });
});

test("alerts sound, flash and are acknowledged by name; threats are ranked", async () => {
  // At 20× the exercise's first intruders cross the border within a minute.
  await page.waitForFunction(() => document.querySelectorAll("#alerts li.alert button[data-alert]").length >= 1, null, { timeout: 120_000 });
  assert.ok(await page.evaluate(() => window.__vigie_cues.tones >= 1), "a tone was given");
  assert.ok(await page.$("#alert-count.count.warning, #alert-count.count.alarm"), "the count shows");
  // The list re-renders every second and a new alert can take the top place: click the
  // alert by its id, not whichever is first by then.
  const alertId = await page.locator("#alerts li.alert button[data-alert]").first().getAttribute("data-alert");
  await page.locator(`#alerts button[data-alert="${alertId}"]`).click();
  await page.waitForFunction((id) => !document.querySelector(`#alerts button[data-alert="${id}"]`), alertId);
  const alerts = await page.evaluate(async () => (await (await fetch("/api/alerts")).json()));
  const acked = alerts.find((a) => String(a.id) === alertId);
  assert.equal(acked.acknowledged_by, "demo");
  assert.ok(["acknowledged", "cleared"].includes(acked.state), acked.state);
  await page.waitForFunction(() => document.querySelectorAll("#threats tbody tr[data-id]").length >= 1, null, { timeout: 120_000 });
  const tid = await page.locator("#threats tbody tr[data-id]").first().getAttribute("data-id");
  await page.locator(`#threats tbody tr[data-id="${tid}"]`).click();
  await page.waitForFunction((id) => document.querySelector("#sel-id")?.textContent === id, tid);
  await page.screenshot({ path: join(artifacts, "5-alerts-threats.png") });
});

test("an instructor starts exercise 2; the trainee identifies the intruder and acknowledges a radar outage; the report scores it", async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const desk = await context.newPage();
  desk.setDefaultTimeout(90_000);
  desk.on("request", (r) => requests.push(r.url()));
  desk.on("pageerror", (e) => console.error("instructor page error:", e.message));
  await desk.goto(base);
  await desk.fill("#login-name", "instructor");
  await desk.fill("#login-password", instructorPassword);
  await desk.click("#login-form button[type=submit]");
  await desk.waitForSelector("#instructor-panel:not([hidden])");
  assert.equal(await desk.isVisible("#exercise-banner"), true, "EXERCISE is marked");
  // The operator has no console, and cannot read it through the API either.
  assert.equal(await page.isHidden("#instructor-panel"), true);
  assert.equal(await page.evaluate(async () => (await fetch("/api/exercise")).status), 403);
  // Start exercise 2 from the library; put the trainee at the western position.
  await desk.waitForFunction(() => document.querySelectorAll("#ex-library option").length === 3);
  await desk.selectOption("#ex-library", "2");
  await desk.click("#ex-start");
  await desk.waitForFunction(() => /^Running: 2\. A low-level intruder/.test(document.querySelector("#ex-current")?.textContent ?? ""));
  await desk.waitForSelector('#ex-positions select[data-trainee="demo"] option[value="west"]', { state: "attached" });
  await desk.selectOption('#ex-positions select[data-trainee="demo"]', "west");
  // The trainee's display: a new picture, the briefing and their position.
  await page.waitForFunction(() => /2\. A low-level intruder/.test(document.querySelector("#brief-title")?.textContent ?? ""));
  await page.waitForFunction(() => /Surveillance west/.test(document.querySelector("#brief-position")?.textContent ?? ""), null, { timeout: 60_000 });
  assert.match(await page.textContent("#brief-text"), /gap fillers/);
  // The intruder from Mali appears; the trainee reports it and identifies it suspect.
  const intruder = await page.evaluate(async () => {
    for (;;) {
      const tracks = await (await fetch("/api/tracks")).json();
      const found = tracks.find((t) => t.identity === "suspect" && !t.callsign);
      if (found) return found.id;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });
  await page.fill("#filter", String(intruder));
  await page.locator(`#tracks tbody tr[data-id="${intruder}"]`).click();
  await page.fill("#filter", "");
  await page.waitForSelector("#sel-ident:not([hidden])");
  await page.click("#report-track");
  await page.selectOption("#ident-choice", "suspect");
  await page.click("#ident-form button[type=submit]");
  await page.waitForFunction(() => /suspect/.test(document.querySelector("#ident-summary")?.textContent ?? ""));
  await page.screenshot({ path: join(artifacts, "7-trainee-briefing.png") });
  // Pause: the clock stops. Then ×16.
  await desk.click("#ex-pause");
  await desk.waitForFunction(() => /paused|pause/.test(document.querySelector("#ex-state")?.textContent ?? ""));
  await desk.waitForTimeout(500);
  const t0 = await desk.evaluate(async () => (await (await fetch("/api/tracks")).json()).reduce((m, t) => Math.max(m, t.time_s), 0));
  await desk.waitForTimeout(2_500);
  const t1 = await desk.evaluate(async () => (await (await fetch("/api/tracks")).json()).reduce((m, t) => Math.max(m, t.time_s), 0));
  assert.equal(t1, t0, "nothing moves while paused");
  await desk.click("#ex-pause");
  await desk.selectOption("#ex-speed", "16");
  await desk.waitForFunction(() => document.querySelector("#ex-state")?.textContent === "×16");
  // A target drawn on the map: three clicks, then injected.
  await desk.selectOption("#ex-kind", "target");
  await desk.selectOption("#ex-template", "small_uav");
  await desk.click("#ex-draw");
  const box = await desk.locator("#map").boundingBox();
  for (const [fx, fy] of [[0.3, 0.5], [0.4, 0.55], [0.5, 0.6]]) {
    await desk.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
  }
  await desk.waitForFunction(() => /^3 /.test(document.querySelector("#ex-route")?.textContent ?? ""));
  await desk.click("#ex-inject button[type=submit]");
  await desk.waitForFunction(() => /flying 3 waypoints, transponder off/.test(document.querySelector("#ex-done")?.textContent ?? ""));
  // A radar outage: the trainee's display raises "sensor lost" and they acknowledge it.
  await desk.selectOption("#ex-kind", "radar_outage");
  await desk.selectOption("#ex-sensor", "niamey-lr");
  await desk.fill("#ex-duration", "600");
  await desk.click("#ex-inject button[type=submit]");
  await desk.waitForFunction(() => /niamey-lr out for 600 s/.test(document.querySelector("#ex-done")?.textContent ?? ""));
  assert.equal(await desk.textContent("#ex-error"), "", "the injections were accepted without complaint");
  await desk.screenshot({ path: join(artifacts, "7-instructor.png") });
  await page.waitForFunction(() => [...document.querySelectorAll("#alerts li.alert")].some(
    (li) => /niamey-lr/.test(li.textContent) && li.querySelector("button[data-alert]")), null, { timeout: 120_000 });
  const ack = page.locator("#alerts li.alert", { hasText: "niamey-lr" }).locator("button[data-alert]").first();
  await ack.click();
  await page.waitForFunction(async () => (await (await fetch("/api/alerts")).json()).some(
    (a) => a.kind === "sensor_lost" && a.sensor === "niamey-lr" && a.acknowledged_by === "demo"));
  // The score: the intruder reported and identified rightly by demo, at the western
  // position, timed against its five-minute deadline; the outage acknowledged.
  const score = await desk.evaluate(async () => (await (await fetch("/api/exercise/score")).json()));
  const demo = score.trainees.find((t) => t.user === "demo");
  assert.equal(demo.position, "west");
  assert.ok(demo.reported >= 1 && demo.identified_correctly >= 1 && demo.alerts_acknowledged >= 1, JSON.stringify(demo));
  const caught = score.objectives.find((o) => o.category === "intruder" && o.identified_by === "demo");
  assert.ok(caught, JSON.stringify(score.objectives));
  assert.equal(caught.correct, true);
  assert.deepEqual(caught.positions, ["west"]);
  assert.equal(caught.within_s, 300);
  assert.equal(caught.in_time, caught.time_to_identify_s <= 300);
  const west = score.positions.find((p) => p.id === "west");
  assert.deepEqual(west.trainees, ["demo"]);
  assert.ok(west.identified_correctly >= 1, JSON.stringify(west));
  const outage = score.alerts.find((a) => a.kind === "sensor_lost");
  assert.equal(outage.acknowledged_by, "demo");
  assert.ok(outage.reaction_s >= 0);
  const report = await context.newPage();
  await report.goto(`${base}/api/exercise/report`);
  assert.match(await report.textContent("h1"), /Exercise 2/);
  assert.equal(await report.locator("tr.trainee", { hasText: "demo" }).count(), 1);
  assert.equal(await report.locator("tr.position", { hasText: "Surveillance west" }).count(), 1);
  assert.match(await report.locator("tr.aircraft.intruder").first().textContent(), /suspect right/);
  assert.equal(await report.locator("svg.bars").count(), 2, "the two plots");
  await report.screenshot({ path: join(artifacts, "8-after-action-report.png"), fullPage: true });
  await context.close();
});

test("the language switches at run time", async () => {
  await page.click("header button.lang[data-lang=fr]");
  assert.equal(await page.textContent("#measure"), "Mesurer");
  assert.equal(await page.textContent("#tracks-panel h2"), "Pistes");
  await page.screenshot({ path: join(artifacts, "5-francais.png") });
  await page.click("header button.lang[data-lang=en]");
  assert.equal(await page.textContent("#measure"), "Measure");
});

test("day theme", async () => {
  await page.click("#theme");
  await page.waitForTimeout(1_500);
  await page.screenshot({ path: join(artifacts, "6-day.png") });
  await page.click("#theme");
});

test("no request leaves 127.0.0.1", async () => {
  assert.ok(requests.length > 5);
  const outside = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith(`ws://127.0.0.1:${port}/`) && !u.startsWith("data:") && !u.startsWith("blob:"));
  assert.deepEqual(outside, []);
});

test("the exercise's after-action report is saved at its end, and rebuilt the same from its journal alone", async () => {
  const stopped = new Promise((ok) => server.on("exit", ok));
  server.kill("SIGINT");
  await stopped;
  const saved = join(recordings, "e2e-2.report.html");
  assert.ok(existsSync(saved), "the report beside the journal");
  const rebuilt = join(recordings, "rebuilt.html");
  execFileSync(bin, ["review", join(recordings, "e2e-2.vj"), "--report", rebuilt], { stdio: "ignore" });
  assert.equal(readFileSync(rebuilt, "utf8"), readFileSync(saved, "utf8"));
  assert.match(readFileSync(saved, "utf8"), /Surveillance west/);
});

test("the review replays the exercise: the picture and every action on one timeline, with seek and speed", async () => {
  const reviewPort = port + 1;
  const review = spawn(bin, ["review", join(recordings, "e2e-2.vj"), "--bind", `127.0.0.1:${reviewPort}`], { stdio: ["ignore", "pipe", "pipe"] });
  review.stderr.on("data", () => {});
  try {
    const login = await new Promise((ok, fail) => {
      let out = "";
      const timer = setTimeout(() => fail(new Error(`no login line from vigie review: ${out}`)), 30_000);
      review.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/instructor \/ ([0-9a-f]+)/);
        if (m) { clearTimeout(timer); ok(m[1]); }
      });
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const room = await context.newPage();
    room.setDefaultTimeout(90_000);
    await room.goto(`http://127.0.0.1:${reviewPort}`);
    await room.fill("#login-name", "instructor");
    await room.fill("#login-password", login);
    await room.click("#login-form button[type=submit]");
    await room.waitForSelector("#review-bar:not([hidden])");
    assert.equal(await room.isVisible("#review-banner"), true);
    assert.equal(await room.isHidden("#instructor-panel"), true, "nothing to instruct in a review");
    // Every action is on the timeline: the trainee's, the instructor's.
    const titles = await room.locator("#rv-marks .mark").evaluateAll((ms) => ms.map((m) => m.title));
    for (const what of [/demo: report track/, /demo: set identity track \d+: \w+ → suspect/, /instructor: inject .*radar_outage/, /demo: acknowledge alert/]) {
      assert.ok(titles.some((t) => what.test(t)), `${what} in ${JSON.stringify(titles)}`);
    }
    // Seek to the trainee's decision: the picture is as it was then, the intruder suspect
    // by the trainee's hand; then play on at ×16.
    await room.selectOption("#rv-speed", "1");
    await room.click("#rv-play");
    await room.waitForFunction(() => document.querySelector("#rv-play")?.textContent === "Play");
    const at = await room.locator("#rv-marks .mark", { hasText: "" }).evaluateAll(
      (ms) => Number(ms.find((m) => /set identity/.test(m.title)).dataset.t));
    await room.locator(`#rv-marks .mark[data-t="${at}"]`).first().click();
    await room.waitForFunction((t) => {
      const v = Number(document.querySelector("#rv-seek")?.value);
      return Math.abs(v - t) <= 1;
    }, at);
    await room.waitForFunction(async () => (await (await fetch("/api/tracks")).json()).some(
      (t) => t.identity === "suspect" && t.identity_decided));
    assert.match(await room.textContent("#rv-actions li:first-child"), /set identity/);
    await room.screenshot({ path: join(artifacts, "9-review.png") });
    // Back to the start: the decision is not made yet.
    const start = Number(await room.getAttribute("#rv-seek", "min"));
    await room.evaluate(async (t) => { await fetch("/api/review", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seek_s: t + 5 }) }); }, start);
    await room.waitForFunction(async () => !(await (await fetch("/api/tracks")).json()).some((t) => t.identity_decided));
    await room.selectOption("#rv-speed", "16");
    await room.click("#rv-play");
    const t0 = Number(await room.inputValue("#rv-seek"));
    await room.waitForFunction((t) => Number(document.querySelector("#rv-seek")?.value) >= t + 30, t0);
    await context.close();
  } finally {
    review.kill("SIGINT");
  }
});
