// The alert list and its cues: a tone and a flashing count when an alert needs someone, and
// the threat list. Both are drawn from the picture's copy of what the server pushes.
import type { Alert, Threat } from "./api";
import { esc, keyed } from "./table";
import { t, type Key } from "./i18n";

/** What tests and the instructor can read of the cues given. */
export const cues = { tones: 0, lastToneAlert: 0 };
(window as unknown as { __vigie_cues: typeof cues }).__vigie_cues = cues;

let audio: AudioContext | null = null;
let muted = localStorage.getItem("vigie.muted") === "1";
const heard = new Set<number>();

export function isMuted(): boolean {
  return muted;
}

export function toggleMute(): boolean {
  muted = !muted;
  localStorage.setItem("vigie.muted", muted ? "1" : "0");
  return muted;
}

/** Two short tones, higher for an alarm. No sound file: nothing to fetch. */
function tone(alarm: boolean): void {
  cues.tones += 1;
  if (muted) return;
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [at, hz] of [[0, alarm ? 880 : 660], [0.18, alarm ? 1175 : 660]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.2, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.16);
    }
  } catch { /* no audio device: the visual cue stays */ }
}

/** Sounds once for each new warning or alarm nobody has acknowledged yet. */
export function soundNew(alerts: Alert[]): void {
  const fresh = alerts.filter((a) => !heard.has(a.id) && a.acknowledged_by === null && a.severity !== "info");
  for (const a of alerts) heard.add(a.id);
  if (fresh.length > 0) {
    cues.lastToneAlert = fresh[fresh.length - 1].id;
    tone(fresh.some((a) => a.severity === "alarm"));
  }
}

function kindLabel(kind: string): string {
  return t(`alert.${kind}` as Key) || kind;
}

/** What the lists were last drawn from: they are redrawn only when it changes, so that a
 * button is not replaced under the operator's click every second. */
const drawn = { alerts: null as Alert[] | null, threats: null as Threat[] | null, alertsLang: "", threatsLang: "" };

/** The list, newest first, with an acknowledge button for whoever may act. */
export function renderAlerts(list: HTMLElement, count: HTMLElement, alerts: Alert[], mayAct: boolean, clock: (s: number) => string): void {
  const lang = document.documentElement.lang;
  if (drawn.alerts === alerts && drawn.alertsLang === lang) return;
  drawn.alerts = alerts;
  drawn.alertsLang = lang;
  const open = alerts.filter((a) => a.acknowledged_by === null);
  count.textContent = open.length > 0 ? String(open.length) : "";
  count.className = open.some((a) => a.severity === "alarm") ? "count alarm" : open.length ? "count warning" : "count";
  const shown = [...alerts].reverse().slice(0, 100);
  if (shown.length === 0) {
    keyed(list, "li", [{ key: "none", className: "none", html: t("alerts.none") }]);
    return;
  }
  keyed(list, "li", shown.map((a) => {
    const state = `<small class="state">${t(`alerts.state.${a.state}` as Key)}${a.acknowledged_by ? ` · ${t("alerts.acked")} ${esc(a.acknowledged_by)}` : ""}</small>`;
    const ack = a.acknowledged_by === null && mayAct ? ` <button type="button" data-alert="${a.id}">${t("alerts.ack")}</button>` : "";
    return {
      key: String(a.id),
      className: `alert ${a.severity} ${a.state}`,
      attrs: { "data-track": String(a.track ?? "") },
      html: `<span class="when">${clock(a.time_s)}</span> <strong>${esc(kindLabel(a.kind))}</strong> ${esc(a.text)} ${state}${ack}`,
    };
  }));
}

export function renderThreats(body: HTMLTableSectionElement, threats: Threat[]): void {
  if (drawn.threats === threats && drawn.threatsLang === document.documentElement.lang) return;
  drawn.threats = threats;
  drawn.threatsLang = document.documentElement.lang;
  if (threats.length === 0) {
    keyed(body, "tr", [{ key: "none", className: "", html: `<td colspan="4" class="none">${t("threats.none")}</td>` }]);
    return;
  }
  keyed(body, "tr", threats.slice(0, 20).map((th) => {
    const arrival = th.time_to_arrival_s === null ? "—" : `${Math.max(0, th.time_to_arrival_s / 60).toFixed(1)} min`;
    return {
      key: String(th.track),
      className: th.identity,
      attrs: { "data-id": String(th.track), title: th.reasons.join("\n") },
      html: `<td>${th.track} ${esc(th.callsign)}</td><td>${esc(th.asset)} <small>P${th.priority}</small></td>` +
        `<td>${(th.cpa_m / 1000).toFixed(1)} km</td><td>${arrival}</td>`,
    };
  }));
}
