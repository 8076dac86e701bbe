// The instructor's console: pause, resume and speed of the running exercise, and faults
// injected into it (a radar outage, jamming, an emergency, a transponder off, ADS-B
// spoofing), with what the simulator made of each.
import { api, type ExerciseState, type Inject } from "./api";
import type { Picture } from "./picture";
import { esc } from "./table";
import { t } from "./i18n";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class InstructorConsole {
  private timer: number | undefined;

  constructor(private picture: Picture) {
    $("ex-pause").onclick = () => void this.control({ paused: !this.lastPaused });
    $<HTMLSelectElement>("ex-speed").onchange = (e) =>
      void this.control({ speed: Number((e.target as HTMLSelectElement).value) });
    $<HTMLSelectElement>("ex-kind").onchange = () => this.showFields();
    $<HTMLFormElement>("ex-inject").onsubmit = (e) => { e.preventDefault(); void this.inject(); };
    this.showFields();
  }

  private lastPaused = false;

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

  private render(s: ExerciseState): void {
    this.lastPaused = s.paused;
    $("ex-pause").textContent = s.paused ? t("ex.resume") : t("ex.pause");
    $("ex-state").textContent = s.paused ? t("ex.paused") : `×${s.speed}`;
    $<HTMLSelectElement>("ex-speed").value = String(s.speed);
    $("ex-done").innerHTML = [...s.injections].reverse().slice(0, 20).map((d) =>
      `<li class="${d.ok ? "ok" : "refused"}"><span class="when">${this.clock(d.time_s)}</span> ${esc(d.outcome)} <small>${esc(d.by)}</small></li>`).join("");
  }

  private clock(s: number): string {
    return new Date((this.picture.epoch_unix_s + s) * 1000).toISOString().slice(11, 19);
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
    const sensor = $<HTMLSelectElement>("ex-sensor").value;
    let body: Inject;
    switch (kind) {
      case "radar_outage": body = { kind, sensor, duration_s: num("ex-duration") }; break;
      case "jamming": body = { kind, sensor, azimuth_deg: num("ex-azimuth"), width_deg: num("ex-width"), duration_s: num("ex-duration") }; break;
      case "emergency": body = { kind, track: track!, code: $<HTMLSelectElement>("ex-code").value }; break;
      case "transponder_off": body = { kind, track: track! }; break;
      default: body = { kind: "spoofing", track: track!, offset_m: num("ex-offset") * 1000, bearing_deg: num("ex-azimuth"), duration_s: num("ex-duration") };
    }
    try {
      await api.inject(body);
      window.setTimeout(() => void this.refresh(), 1_500);
    } catch (err) { $("ex-error").textContent = String(err); }
  }
}
