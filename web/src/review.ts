// The after-action review's timeline (`vigie review`): play, pause, speed and seek over a
// recorded session, with every operator and instructor action marked on it and listed
// beside the map. The instructor drives it for the room; everyone else follows.
import { api, type Me, type ReviewState } from "./api";
import { esc } from "./table";
import { t } from "./i18n";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class ReviewBar {
  private state: ReviewState | null = null;
  private dragging = false;

  constructor(private me: Me, private epoch: () => number) {}

  /** Shows the bar if the server is replaying a recording. */
  async start(): Promise<boolean> {
    try { this.render(await api.review()); } catch { return false; }
    $("review-bar").hidden = false;
    $("review-panel").hidden = false;
    const drives = this.me.role === "instructor" || this.me.role === "admin";
    for (const id of ["rv-play", "rv-speed", "rv-seek"]) $<HTMLInputElement>(id).disabled = !drives;
    $("rv-play").onclick = () => void this.control({ paused: !this.state?.paused });
    $<HTMLSelectElement>("rv-speed").onchange = (e) => void this.control({ speed: Number((e.target as HTMLSelectElement).value) });
    const seek = $<HTMLInputElement>("rv-seek");
    seek.oninput = () => { this.dragging = true; $("rv-time").textContent = this.clock(Number(seek.value)); };
    seek.onchange = () => { this.dragging = false; void this.control({ seek_s: Number(seek.value) }); };
    const jump = (e: Event) => {
      const at = (e.target as HTMLElement).closest<HTMLElement>("[data-t]")?.dataset.t;
      if (at !== undefined && drives) void this.control({ seek_s: Number(at) });
    };
    $("rv-marks").onclick = jump;
    $("rv-actions").onclick = jump;
    window.setInterval(() => void this.refresh(), 1_000);
    return true;
  }

  private async control(c: { paused?: boolean; speed?: number; seek_s?: number }): Promise<void> {
    try { this.render(await api.reviewControl(c)); } catch (err) { console.error(err); }
  }

  private async refresh(): Promise<void> {
    try { this.render(await api.review()); } catch { /* logged out */ }
  }

  private clock(s: number): string {
    return new Date((this.epoch() + s) * 1000).toISOString().slice(11, 19);
  }

  relabel(): void {
    if (this.state) $("rv-play").textContent = this.state.paused ? t("rv.play") : t("rv.pause");
  }

  private render(s: ReviewState): void {
    const first = this.state === null;
    this.state = s;
    this.relabel();
    $("rv-name").textContent = s.name;
    $<HTMLSelectElement>("rv-speed").value = String(s.speed);
    const seek = $<HTMLInputElement>("rv-seek");
    seek.min = String(Math.floor(s.start_s));
    seek.max = String(Math.ceil(s.end_s));
    if (!this.dragging) {
      seek.value = String(Math.round(s.time_s));
      $("rv-time").textContent = this.clock(s.time_s);
    }
    $("rv-end").textContent = this.clock(s.end_s);
    const span = Math.max(1, s.end_s - s.start_s);
    if (first || $("rv-marks").childElementCount !== s.marks.length) {
      $("rv-marks").innerHTML = s.marks.map((m) =>
        `<span class="mark" data-t="${m.time_s}" style="left:${(100 * (m.time_s - s.start_s)) / span}%" title="${esc(`${this.clock(m.time_s)} ${m.user}: ${m.action} ${m.detail}`)}"></span>`).join("");
    }
    // The actions so far, the latest first: what the crew had done by this moment.
    const done = s.marks.filter((m) => m.time_s <= s.time_s);
    $("rv-actions").innerHTML = [...done].reverse().slice(0, 30).map((m) =>
      `<li data-t="${m.time_s}"><span class="when">${this.clock(m.time_s)}</span> <b>${esc(m.user)}</b> ${esc(m.action)} <small>${esc(m.detail)}</small></li>`).join("");
  }
}
