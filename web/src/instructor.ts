// The instructor's console: the exercise library (start any exercise), trainees put at
// positions, pause, resume and speed, and injections: faults (a radar outage, jamming, an
// emergency, a transponder off, ADS-B spoofing) and targets flying a route drawn on the
// map, with what the simulator made of each.
import { api, IDENTITIES, type ExerciseState, type Identity, type Inject } from "./api";
import type { AirMap } from "./map";
import type { Picture } from "./picture";
import { esc } from "./table";
import { currentLang, t, type Key } from "./i18n";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class InstructorConsole {
  private timer: number | undefined;
  private lastPaused = false;
  private state: ExerciseState | null = null;
  private route: [number, number][] = [];

  constructor(private picture: Picture, private map: AirMap) {
    $("ex-pause").onclick = () => void this.control({ paused: !this.lastPaused });
    $<HTMLSelectElement>("ex-speed").onchange = (e) =>
      void this.control({ speed: Number((e.target as HTMLSelectElement).value) });
    $<HTMLSelectElement>("ex-kind").onchange = () => this.showFields();
    $<HTMLFormElement>("ex-inject").onsubmit = (e) => { e.preventDefault(); void this.inject(); };
    $("ex-start").onclick = () => void this.start();
    $("ex-draw").onclick = () => this.draw();
    $("ex-positions").onchange = (e) => {
      const select = e.target as HTMLSelectElement;
      void this.assign(select.dataset.trainee!, select.value || null);
    };
    $<HTMLSelectElement>("ex-expect").innerHTML = IDENTITIES.filter((i) => i !== "pending")
      .map((i) => `<option value="${i}">${esc(t(`identity.${i}` as Key))}</option>`).join("");
    $<HTMLSelectElement>("ex-expect").value = "suspect";
    this.showFields();
  }

  show(on: boolean): void {
    $("instructor-panel").hidden = !on;
    if (on && this.timer === undefined) {
      void this.refresh();
      this.timer = window.setInterval(() => void this.refresh(), 2_000);
    }
  }

  /** The sensors to choose from, as the picture knows them. */
  sensors(): void {
    const select = $<HTMLSelectElement>("ex-sensor");
    const keep = select.value;
    const ids = this.picture.sensors.map((s) => s.id);
    if (select.options.length !== ids.length) {
      select.innerHTML = ids.map((id) => `<option>${esc(id)}</option>`).join("");
      if (keep) select.value = keep;
    }
  }

  private showFields(): void {
    const kind = $<HTMLSelectElement>("ex-kind").value;
    for (const el of document.querySelectorAll<HTMLElement>("#ex-inject [data-for]")) {
      el.hidden = !el.dataset.for!.split(" ").includes(kind);
    }
  }

  private async control(c: { paused?: boolean; speed?: number }): Promise<void> {
    try { this.render(await api.exerciseControl(c)); } catch (err) { $("ex-error").textContent = String(err); }
  }

  private async refresh(): Promise<void> {
    try { this.render(await api.exercise()); } catch { /* not an exercise, or logged out */ }
  }

  private async start(): Promise<void> {
    $("ex-error").textContent = "";
    try {
      await api.start(Number($<HTMLSelectElement>("ex-library").value));
      $("ex-current").textContent = t("ex.starting");
      window.setTimeout(() => void this.refresh(), 1_500);
    } catch (err) { $("ex-error").textContent = String(err); }
  }

  private async assign(trainee: string, position: string | null): Promise<void> {
    try { this.render(await api.assign(trainee, position)); } catch (err) { $("ex-error").textContent = String(err); }
  }

  /** Re-draws with the language just chosen. */
  relabel(): void {
    if (this.state) { this.renderLibrary(this.state, true); this.renderPositions(this.state); }
  }

  private render(s: ExerciseState): void {
    this.state = s;
    this.lastPaused = s.paused;
    $("ex-pause").textContent = s.paused ? t("ex.resume") : t("ex.pause");
    $("ex-state").textContent = s.paused ? t("ex.paused") : `×${s.speed}`;
    $<HTMLSelectElement>("ex-speed").value = String(s.speed);
    $("ex-done").innerHTML = [...s.injections].reverse().slice(0, 20).map((d) =>
      `<li class="${d.ok ? "ok" : "refused"}"><span class="when">${this.clock(d.time_s)}</span> ${esc(d.outcome)} <small>${esc(d.by)}</small></li>`).join("");
    this.renderLibrary(s, false);
    this.renderPositions(s);
    const templates = $<HTMLSelectElement>("ex-template");
    if (templates.options.length !== s.templates.length) {
      templates.innerHTML = s.templates.map((x) => `<option value="${x}">${esc(t(`tpl.${x}` as Key))}</option>`).join("");
    }
  }

  private renderLibrary(s: ExerciseState, force: boolean): void {
    const lang = currentLang();
    const select = $<HTMLSelectElement>("ex-library");
    if (force || select.options.length !== s.library.length) {
      const keep = select.value;
      select.innerHTML = s.library.map((b) => `<option value="${b.number}">${b.number}. ${esc(b.title[lang])}</option>`).join("");
      select.value = keep || String(s.exercise?.number ?? s.library[0]?.number ?? "");
    }
    const running = s.exercise ? `${s.exercise.number}. ${s.exercise.title[lang]}` : s.name;
    $("ex-current").textContent = s.starting !== null ? t("ex.starting") : `${t("ex.running")}: ${running}`;
  }

  /** One row per trainee, with the position they are at. */
  private renderPositions(s: ExerciseState): void {
    const positions = s.exercise?.positions ?? [];
    const list = $("ex-positions");
    if (list.contains(document.activeElement)) return;
    const lang = currentLang();
    list.innerHTML = s.trainees.map((name) => {
      const at = s.assignments[name] ?? "";
      const options = [`<option value="">${esc(t("ex.nobody"))}</option>`]
        .concat(positions.map((p) => `<option value="${esc(p.id)}"${p.id === at ? " selected" : ""}>${esc(p.name[lang])}</option>`));
      return `<li><span>${esc(name)}</span> <select data-trainee="${esc(name)}" aria-label="${esc(name)}">${options.join("")}</select></li>`;
    }).join("");
  }

  private clock(s: number): string {
    return new Date((this.picture.epoch_unix_s + s) * 1000).toISOString().slice(11, 19);
  }

  /** Draw route → click the map → Route drawn. */
  private draw(): void {
    if (this.map.drawingRoute) {
      this.route = this.map.endRoute();
      $("ex-draw").textContent = t("ex.draw");
      $("ex-route").textContent = `${this.route.length} ${t("ex.route")}`;
      return;
    }
    this.route = [];
    $("ex-draw").textContent = t("ex.draw.done");
    this.map.startRoute((n) => { $("ex-route").textContent = `${n} ${t("ex.route")}`; });
  }

  private async inject(): Promise<void> {
    $("ex-error").textContent = "";
    const kind = $<HTMLSelectElement>("ex-kind").value;
    const num = (id: string) => Number($<HTMLInputElement>(id).value);
    const track = this.picture.selected;
    const needsTrack = ["emergency", "transponder_off", "spoofing"].includes(kind);
    if (needsTrack && track === null) {
      $("ex-error").textContent = t("ex.select");
      return;
    }
    if (kind === "target" && this.map.drawingRoute) this.draw();
    if (kind === "target" && this.route.length < 2) {
      $("ex-error").textContent = t("ex.route.short");
      return;
    }
    const sensor = $<HTMLSelectElement>("ex-sensor").value;
    let body: Inject;
    switch (kind) {
      case "radar_outage": body = { kind, sensor, duration_s: num("ex-duration") }; break;
      case "jamming": body = { kind, sensor, azimuth_deg: num("ex-azimuth"), width_deg: num("ex-width"), duration_s: num("ex-duration") }; break;
      case "emergency": body = { kind, track: track!, code: $<HTMLSelectElement>("ex-code").value }; break;
      case "transponder_off": body = { kind, track: track! }; break;
      case "target": body = {
        kind, template: $<HTMLSelectElement>("ex-template").value, route: this.route,
        height_agl_m: num("ex-height"), speed_kt: num("ex-speedkt"),
        transponder: $<HTMLInputElement>("ex-transponder").checked,
        identity: $<HTMLSelectElement>("ex-expect").value as Identity,
      }; break;
      default: body = { kind: "spoofing", track: track!, offset_m: num("ex-offset") * 1000, bearing_deg: num("ex-azimuth"), duration_s: num("ex-duration") };
    }
    try {
      await api.inject(body);
      if (kind === "target") { this.route = []; $("ex-route").textContent = ""; }
      window.setTimeout(() => void this.refresh(), 1_500);
    } catch (err) { $("ex-error").textContent = String(err); }
  }
}
