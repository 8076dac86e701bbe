// The operator display: log in, then the live air picture.
import "./style.css";
import { api, ApiError, IDENTITIES, subscribe, type Identification, type Identity, type Me, type TrackDetail, type TraineeView } from "./api";
import { isMuted, renderAlerts, renderThreats, soundNew, toggleMute } from "./alerts";
import { InstructorConsole } from "./instructor";
import { ReviewBar } from "./review";
import { AirMap } from "./map";
import { Picture } from "./picture";
import { TrackTable, esc } from "./table";
import { currentLang, onLangChange, setLang, t, type Key, type Lang } from "./i18n";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

for (const b of document.querySelectorAll<HTMLButtonElement>("button.lang")) {
  b.addEventListener("click", () => setLang(b.dataset.lang as Lang));
}
setLang(currentLang());

async function boot(): Promise<void> {
  try {
    start(await api.me());
  } catch {
    showLogin();
  }
}

function showLogin(): void {
  $("app").hidden = true;
  $("login").hidden = false;
  const form = $<HTMLFormElement>("login-form");
  form.onsubmit = async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    try {
      const me = await api.login($<HTMLInputElement>("login-name").value, $<HTMLInputElement>("login-password").value);
      start(me);
    } catch (err) {
      $("login-error").textContent = err instanceof ApiError && err.status === 401 ? t("login.failed") : String(err);
    }
  };
}

function start(me: Me): void {
  $("login").hidden = true;
  $("app").hidden = false;
  $("user").textContent = `${me.name} (${me.role})`;
  const picture = new Picture();
  const theme = (localStorage.getItem("vigie.theme") as "night" | "day") || "night";
  document.body.className = theme;
  const select = (id: number | null) => { picture.selected = id; void showSelected(picture); redraw(); };
  const map = new AirMap($("map"), theme, select);
  const table = new TrackTable($<HTMLTableElement>("tracks"), $<HTMLInputElement>("filter"), (id) => {
    select(id);
    const tr = picture.tracks.get(id);
    if (tr) map.centreOn(tr.lon_deg, tr.lat_deg);
  });
  let dirty = false;
  const redraw = () => { dirty = true; };
  table.onChange = redraw;
  onLangChange(() => { renderPanels(picture, me); void showSelected(picture); });
  map.loadBackground().catch((e) => console.error("map layers", e));

  // Draw at most once per animation frame, however often pushes come.
  const frame = () => {
    if (dirty) {
      dirty = false;
      const f = picture.features();
      map.setTracks(f.tracks, f.leaders, f.trails);
      table.render(picture.tracks.values(), picture.selected);
      $("track-count").textContent = `${picture.tracks.size} ${t("tracks.count")}`;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  let pushes = 0;
  let linkUp = false;
  // A console on the bus: the picture may be out of date though the link to it is up.
  let stale = false;
  const showLink = () => {
    const link = $("link-state");
    const ok = linkUp && !stale;
    link.textContent = !linkUp ? t("link.down") : stale ? t("link.stale") : t("link.up");
    link.className = `link ${ok ? "up" : "down"}`;
  };
  const instructor = new InstructorConsole(picture, map);
  const review = new ReviewBar(me, () => picture.epoch_unix_s);
  // A review replays a recording: nothing to instruct, the timeline instead.
  let reviewing = false;
  void review.start().then((on) => {
    reviewing = on;
    $("review-banner").hidden = !on;
    document.body.classList.toggle("review", on);
    // The picture may have come first and shown the panel to the instructor.
    if (on) instructor.show(false);
  });
  onLangChange(() => review.relabel());
  onLangChange(() => instructor.relabel());
  // The briefing is read again for each exercise started, and now and then for the
  // position the instructor gives.
  let session = -1;
  let briefing: TraineeView | null = null;
  const showBriefing = () => renderBriefing(briefing, me);
  onLangChange(showBriefing);
  const stop = subscribe((push) => {
    picture.apply(push);
    if (push.stale !== stale) { stale = push.stale; showLink(); }
    if (push.exercise && (push.session !== session || pushes % 5 === 0)) {
      session = push.session;
      api.briefing().then((b) => { briefing = b; showBriefing(); }).catch(() => { /* logged out */ });
    }
    $("exercise-banner").hidden = !push.exercise;
    document.body.classList.toggle("exercise", push.exercise);
    instructor.show(push.exercise && !reviewing && (me.role === "instructor" || me.role === "admin"));
    instructor.sensors();
    map.setSensors(picture.sensors);
    renderPanels(picture, me);
    redraw();
    // The details (identification, history) are fetched again every few pushes.
    pushes += 1;
    if (picture.selected !== null) void showSelected(picture, pushes % 3 === 0);
  }, (up) => {
    linkUp = up;
    showLink();
  });
  onLangChange(showLink);

  setInterval(() => {
    // Unknown until the first picture; a console on the bus has epoch 0 and Unix times.
    if (picture.epoch_unix_s + picture.time_s > 0) $("clock").textContent = `${picture.utc().toISOString().slice(11, 19)} UTC`;
  }, 250);

  $("theme").onclick = () => {
    const next = map.currentTheme === "night" ? "day" : "night";
    localStorage.setItem("vigie.theme", next);
    document.body.classList.remove("night", "day");
    document.body.classList.add(next);
    map.setTheme(next);
    redraw();
  };
  $("measure").onclick = () => $("measure").classList.toggle("active", map.toggleMeasure());
  const coverage = $<HTMLSelectElement>("coverage");
  map.coverageLayers().then((index) => {
    for (const h of index.layers_m) coverage.add(new Option(`${h} m`, String(h)));
  }).catch(() => { coverage.disabled = true; });
  coverage.onchange = () => { void map.setCoverage(coverage.value ? Number(coverage.value) : null); };
  $("sel-close").onclick = () => select(null);
  $("logout").onclick = async () => {
    stop();
    try { await api.logout(); } finally { location.reload(); }
  };
  $("alerts").onclick = async (e) => {
    const target = e.target as HTMLElement;
    const button = target.closest<HTMLButtonElement>("button[data-alert]");
    if (button) {
      try { await api.acknowledge(Number(button.dataset.alert)); } catch (err) { alert(String(err)); }
      return;
    }
    const track = Number(target.closest<HTMLElement>("li[data-track]")?.dataset.track);
    if (track && picture.tracks.has(track)) select(track);
  };
  $("threats").onclick = (e) => {
    const id = Number((e.target as HTMLElement).closest<HTMLElement>("tr[data-id]")?.dataset.id);
    if (!id) return;
    select(id);
    const tr = picture.tracks.get(id);
    if (tr) map.centreOn(tr.lon_deg, tr.lat_deg);
  };
  const showMute = () => { $("mute").textContent = isMuted() ? t("alerts.mute") : t("alerts.unmute"); };
  $("mute").onclick = () => { toggleMute(); showMute(); };
  showMute();
  onLangChange(showMute);
  const choice = $<HTMLSelectElement>("ident-choice");
  const fillChoices = () => {
    const keep = choice.value;
    choice.innerHTML = IDENTITIES.map((i) => `<option value="${i}">${t(`identity.${i}` as Key)}</option>`).join("");
    if (keep) choice.value = keep;
  };
  fillChoices();
  onLangChange(fillChoices);
  $("ident-form").hidden = me.role === "observer";
  $("report-track").onclick = async () => {
    const id = picture.selected;
    if (id === null) return;
    try {
      await api.report(id);
      $("report-track").textContent = `${t("ident.reported")} ✓`;
    } catch (err) { alert(String(err)); }
  };
  $<HTMLFormElement>("ident-form").onsubmit = async (e) => {
    e.preventDefault();
    const id = picture.selected;
    if (id === null) return;
    const note = $<HTMLInputElement>("ident-note").value.trim();
    try {
      const ident = await api.decide(id, choice.value as Identity, note || null);
      $<HTMLInputElement>("ident-note").value = "";
      showIdentification(picture, ident);
    } catch (err) { alert(String(err)); }
  };
}

function clockOf(picture: Picture): (s: number) => string {
  return (s) => new Date((picture.epoch_unix_s + s) * 1000).toISOString().slice(11, 19);
}

function identityLabel(i: Identity): string {
  return t(`identity.${i}` as Key);
}

/** The selected track's identity: what it is, who decided, vigie's evidence, the changes. */
function showIdentification(picture: Picture, ident: Identification | null): void {
  $("sel-ident").hidden = ident === null;
  if (!ident) return;
  const who = ident.decided_by ? `${t("ident.decided")} ${esc(ident.decided_by)}` : "vigie";
  const proposal = ident.decided_by && ident.proposal !== ident.identity
    ? ` · ${t("ident.proposal")} <em>${identityLabel(ident.proposal)}</em>` : "";
  $("ident-summary").innerHTML = `<strong class="identity ${ident.identity}">${identityLabel(ident.identity)}</strong> <small>(${who})</small>${proposal}`;
  $("ident-evidence").innerHTML = ident.evidence.map((e) => `<li>${esc(e)}</li>`).join("");
  // The selector follows the track only when another track is selected: a refresh must not
  // undo what the operator is choosing.
  const choice = $<HTMLSelectElement>("ident-choice");
  if (choice.dataset.track !== String(picture.selected)) {
    choice.value = ident.identity;
    choice.dataset.track = String(picture.selected);
    $("report-track").textContent = t("ident.report");
  }
  const clock = clockOf(picture);
  $("ident-history").innerHTML = [...ident.history].reverse().map((c) =>
    `<li><span class="when">${clock(c.time_s)}</span> ${identityLabel(c.identity)} <small>${esc(c.by)}</small>` +
    (c.note ? ` — ${esc(c.note)}` : "") + "</li>").join("");
}

function ago(picture: Picture, time_s: number | null): string {
  return time_s === null ? "—" : `${Math.max(0, picture.time_s - time_s).toFixed(0)} ${t("ago")}`;
}

/** The exercise's briefing in the display's language, and the reader's position. */
function renderBriefing(b: TraineeView | null, me: Me): void {
  const panel = $("briefing-panel");
  panel.hidden = !b?.exercise;
  if (!b?.exercise) return;
  const lang = currentLang();
  $("brief-title").textContent = `${b.exercise.number}. ${b.exercise.title[lang]}`;
  // Positions are the trainees'; the instructor gives them.
  $("brief-position").hidden = me.role !== "operator";
  $("brief-position").textContent = b.position
    ? `${t("brief.position")}: ${b.position.name[lang]}`
    : t("brief.none");
  $("brief-text").innerHTML = b.exercise.briefing[lang].split("\n\n").map((p) => `<p>${esc(p)}</p>`).join("");
}

function renderPanels(picture: Picture, me: Me): void {
  $("sensors").innerHTML = picture.sensors.map((s) =>
    `<li class="sensor ${s.status}"><span class="dot"></span>${esc(s.id)} <small>${s.kind}</small>` +
    `<span class="state">${t(`sensors.${s.status}`)}</span></li>`).join("");
  const mayAct = me.role !== "observer";
  soundNew(picture.alerts);
  renderAlerts($("alerts"), $("alert-count"), picture.alerts, mayAct, clockOf(picture));
  renderThreats($<HTMLTableElement>("threats").tBodies[0], picture.threats);
}

let detailToken = 0;

async function showSelected(picture: Picture, fetchHistory = true): Promise<void> {
  const id = picture.selected;
  $("selected").hidden = id === null;
  if (id === null) return;
  const track = picture.tracks.get(id);
  if (!track) return;
  $("sel-id").textContent = String(id);
  const rows: [string, string][] = [
    [t("field.callsign"), track.callsign ?? "—"],
    [t("field.mode3a"), track.mode3a ?? "—"],
    [t("field.modes"), track.mode_s ?? "—"],
    [t("field.identity"), identityLabel(track.identity) + (track.identity_decided ? " ✓" : "")],
    [t("field.position"), `${track.lat_deg.toFixed(4)}°, ${track.lon_deg.toFixed(4)}°`],
    [t("field.altitude"), `FL${track.flight_level} (${Math.round(track.alt_m)} m)`],
    [t("field.speed"), `${Math.round(track.ground_speed_kt)} kt`],
    [t("field.course"), `${Math.round(track.course_deg)}°`],
    [t("field.vrate"), `${Math.round(track.vertical_rate_fpm)} ft/min`],
    [t("field.quality"), track.sigma_m === null ? "—" : `${Math.round(track.sigma_m)} m`],
    [t("field.updated"), ago(picture, track.time_s)],
  ];
  $("sel-fields").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join("");
  $("sel-sensors").innerHTML = track.sensors.map((s) => `<li>${esc(s.sensor)} <small>${ago(picture, s.last_s)}</small></li>`).join("");
  if (!fetchHistory) return;
  const token = ++detailToken;
  try {
    const detail = await api.track(id);
    if (token === detailToken) {
      drawHistory(detail);
      showIdentification(picture, detail.identification);
    }
  } catch { /* the track ended meanwhile */ }
}

/** Altitude over the kept history, a small profile. */
function drawHistory(detail: TrackDetail): void {
  const canvas = $<HTMLCanvasElement>("sel-history");
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const h = detail.history;
  if (h.length < 2) return;
  const t0 = h[0].time_s, t1 = h[h.length - 1].time_s;
  const alts = h.map((p) => p.alt_m);
  const lo = Math.min(...alts) - 100, hi = Math.max(...alts) + 100;
  ctx.strokeStyle = getComputedStyle(document.body).getPropertyValue("--accent") || "#59d38c";
  ctx.lineWidth = 2;
  ctx.beginPath();
  h.forEach((p, i) => {
    const x = ((p.time_s - t0) / Math.max(1, t1 - t0)) * (canvas.width - 4) + 2;
    const y = canvas.height - 2 - ((p.alt_m - lo) / (hi - lo)) * (canvas.height - 4);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

void boot();
