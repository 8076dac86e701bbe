// The display's copy of the air picture, kept from the server's pushes, and the GeoJSON the
// map draws from it.
import type { Alert, Push, Sensor, Threat, Track } from "./api";
import { destination } from "./geo";
import { symbolImage } from "./symbols";

/** Trail points kept per track, one at most every `TRAIL_STEP_S`. */
const TRAIL_POINTS = 30;
const TRAIL_STEP_S = 10;
/** The velocity leader shows where the track will be in this long. */
const LEADER_S = 120;

export class Picture {
  tracks = new Map<number, Track>();
  trails = new Map<number, [number, number, number][]>();
  sensors: Sensor[] = [];
  alerts: Alert[] = [];
  threats: Threat[] = [];
  time_s = 0;
  epoch_unix_s = 0;
  exercise = false;
  selected: number | null = null;

  apply(p: Push): void {
    if (p.full) { this.tracks.clear(); this.trails.clear(); }
    for (const t of p.tracks) {
      this.tracks.set(t.id, t);
      const trail = this.trails.get(t.id) ?? [];
      const last = trail[trail.length - 1];
      if (!last || t.time_s - last[2] >= TRAIL_STEP_S) {
        trail.push([t.lon_deg, t.lat_deg, t.time_s]);
        if (trail.length > TRAIL_POINTS) trail.shift();
      }
      this.trails.set(t.id, trail);
    }
    for (const id of p.ended) { this.tracks.delete(id); this.trails.delete(id); }
    this.sensors = p.sensors;
    if (p.alerts) this.alerts = p.alerts;
    if (p.threats) this.threats = p.threats;
    this.time_s = p.time_s;
    this.epoch_unix_s = p.epoch_unix_s;
    this.exercise = p.exercise;
    if (this.selected !== null && !this.tracks.has(this.selected)) this.selected = null;
  }

  utc(): Date {
    return new Date((this.epoch_unix_s + this.time_s) * 1000);
  }

  /** Where a track is now: its last state moved on along its velocity to the picture's time. */
  private position(t: Track): [number, number] {
    const dt = Math.max(0, Math.min(30, this.time_s - t.time_s));
    const speed = Math.hypot(t.vn_mps, t.ve_mps);
    return dt > 0 && speed > 0 ? destination(t.lon_deg, t.lat_deg, t.course_deg, speed * dt) : [t.lon_deg, t.lat_deg];
  }

  features(): { tracks: GeoJSON.FeatureCollection; leaders: GeoJSON.FeatureCollection; trails: GeoJSON.FeatureCollection } {
    const tracks: GeoJSON.Feature[] = [];
    const leaders: GeoJSON.Feature[] = [];
    const trails: GeoJSON.Feature[] = [];
    // Tracks with an alert nobody has acknowledged get a ring, red for an alarm.
    const alerted = new Map<number, string>();
    for (const a of this.alerts) {
      if (a.track === null || a.acknowledged_by !== null || a.severity === "info") continue;
      if (alerted.get(a.track) !== "alarm") alerted.set(a.track, a.severity);
    }
    for (const t of this.tracks.values()) {
      const here = this.position(t);
      const speed = Math.hypot(t.vn_mps, t.ve_mps);
      tracks.push({
        type: "Feature", id: t.id,
        properties: {
          id: t.id, icon: symbolImage(t.identity, this.exercise), label: label(t), selected: t.id === this.selected,
          ...(alerted.has(t.id) ? { alert: alerted.get(t.id) } : {}),
        },
        geometry: { type: "Point", coordinates: here },
      });
      leaders.push({
        type: "Feature", properties: {},
        geometry: { type: "LineString", coordinates: [here, destination(here[0], here[1], t.course_deg, speed * LEADER_S)] },
      });
      const trail = this.trails.get(t.id);
      if (trail && trail.length > 1) {
        trails.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: trail.map(([x, y]) => [x, y]) } });
      }
    }
    const fc = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({ type: "FeatureCollection", features });
    return { tracks: fc(tracks), leaders: fc(leaders), trails: fc(trails) };
  }
}

/** The track's label block: number and callsign, flight level and speed, code. */
export function label(t: Track): string {
  const fl = `FL${String(Math.max(0, t.flight_level)).padStart(3, "0")}`;
  const trend = t.vertical_rate_fpm > 300 ? "↑" : t.vertical_rate_fpm < -300 ? "↓" : "";
  const lines = [`${t.id} ${t.callsign ?? ""}`.trim(), `${fl}${trend} ${Math.round(t.ground_speed_kt)}kt`];
  if (t.mode3a) lines.push(`A${t.mode3a}`);
  return lines.join("\n");
}
