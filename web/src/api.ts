// The server's API as the display uses it (see /api/openapi.json).

export type Role = "observer" | "operator" | "instructor" | "admin";
export interface Me { name: string; role: Role }
export interface Contribution { sensor: string; last_s: number }
export interface Track {
  id: number; time_s: number; lat_deg: number; lon_deg: number; alt_m: number;
  flight_level: number; ground_speed_kt: number; course_deg: number; vertical_rate_fpm: number;
  vn_mps: number; ve_mps: number; sigma_m: number | null; turn_probability: number;
  mode3a: string | null; mode_s: string | null; callsign: string | null;
  sensors: Contribution[]; identity: Identity; identity_decided: boolean;
}
export type Identity = "pending" | "unknown" | "assumed_friend" | "friend" | "neutral" | "suspect" | "hostile";
export const IDENTITIES: Identity[] = ["pending", "unknown", "assumed_friend", "friend", "neutral", "suspect", "hostile"];
export interface IdentityChange { time_s: number; identity: Identity; by: string; evidence: string[]; note: string | null }
export interface Identification {
  identity: Identity; decided_by: string | null; proposal: Identity; evidence: string[]; history: IdentityChange[];
}
export interface HistoryPoint { time_s: number; lat_deg: number; lon_deg: number; alt_m: number }
export interface TrackDetail extends Track { history: HistoryPoint[]; identification: Identification | null }
export interface Sensor {
  id: string; kind: "radar" | "adsb"; lat_deg: number; lon_deg: number; range_m: number | null;
  period_s: number; status: "ok" | "silent" | "never"; last_report_s: number | null; reports: number;
}
export type Severity = "info" | "warning" | "alarm";
export interface Alert {
  id: number; time_s: number; track: number | null; sensor: string | null; kind: string; severity: Severity;
  text: string; state: "raised" | "acknowledged" | "cleared";
  acknowledged_by: string | null; acknowledged_s: number | null; cleared_s: number | null;
}
export interface Threat {
  track: number; callsign: string | null; identity: Identity; asset: string; priority: number;
  cpa_m: number; time_to_cpa_s: number; time_to_arrival_s: number | null; score: number; reasons: string[];
}
export type Inject =
  | { kind: "radar_outage"; sensor: string; duration_s: number }
  | { kind: "jamming"; sensor: string; azimuth_deg: number; width_deg: number; duration_s: number; plots_per_scan?: number }
  | { kind: "emergency"; track: number; code: string }
  | { kind: "transponder_off"; track: number }
  | { kind: "spoofing"; track: number; offset_m: number; bearing_deg: number; duration_s: number }
  | {
    kind: "target"; template: string; route: [number, number][]; height_agl_m?: number; alt_ft?: number;
    speed_kt?: number; transponder: boolean; identity?: Identity;
  };
export interface InjectionDone { time_s: number; by: string; inject: Inject; outcome: string; ok: boolean }
export interface Text { en: string; fr: string }
export interface Position { id: string; name: Text; box_deg: [number, number, number, number] | null }
export interface Briefing { number: number; title: Text; briefing: Text; positions: Position[] }
export interface ExerciseState {
  paused: boolean; speed: number; injections: InjectionDone[]; exercise: Briefing | null; name: string;
  library: Briefing[]; assignments: Record<string, string>; starting: number | null; templates: string[];
  trainees: string[];
}
export interface Mark { time_s: number; user: string; action: string; detail: string }
export interface ReviewState {
  name: string; start_s: number; end_s: number; time_s: number; paused: boolean; speed: number; marks: Mark[];
}
export interface TraineeView { name: string; exercise: Briefing | null; position: Position | null }
export interface Push {
  time_s: number; epoch_unix_s: number; exercise: boolean; session: number; stale: boolean; full: boolean; tracks: Track[]; ended: number[];
  sensors: Sensor[]; alerts?: Alert[]; threats?: Threat[];
}

export interface CoverageIndex {
  bounds: { west_deg: number; south_deg: number; east_deg: number; north_deg: number };
  layers_m: number[];
}

export class ApiError extends Error {
  constructor(public status: number, message: string) { super(message); }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error ?? message; } catch { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  // 202 and 204 carry no body.
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  me: () => call<Me>("GET", "/api/me"),
  login: (name: string, password: string) => call<Me>("POST", "/api/login", { name, password }),
  logout: () => call<void>("POST", "/api/logout"),
  track: (id: number) => call<TrackDetail>("GET", `/api/tracks/${id}`),
  acknowledge: (id: number) => call<void>("POST", `/api/alerts/${id}/ack`),
  decide: (id: number, identity: Identity, note: string | null) =>
    call<Identification>("POST", `/api/tracks/${id}/identity`, { identity, note }),
  exercise: () => call<ExerciseState>("GET", "/api/exercise"),
  exerciseControl: (c: { paused?: boolean; speed?: number }) => call<ExerciseState>("POST", "/api/exercise/control", c),
  inject: (i: Inject) => call<void>("POST", "/api/exercise/inject", i),
  start: (number: number) => call<void>("POST", "/api/exercise/start", { number }),
  assign: (trainee: string, position: string | null) =>
    call<ExerciseState>("POST", "/api/exercise/assign", { trainee, position }),
  briefing: () => call<TraineeView>("GET", "/api/exercise/briefing"),
  review: () => call<ReviewState>("GET", "/api/review"),
  reviewControl: (c: { paused?: boolean; speed?: number; seek_s?: number }) => call<ReviewState>("POST", "/api/review", c),
  report: (track: number) => call<void>("POST", `/api/tracks/${track}/report`),
  layer: (name: string) => call<GeoJSON.FeatureCollection>("GET", `/api/map/${name}`),
  coverage: () => call<CoverageIndex>("GET", "/api/coverage"),
};

/** Opens the push socket; reconnects with a growing pause until `stop` is called. */
export function subscribe(onPush: (p: Push) => void, onState: (up: boolean) => void): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let pause = 500;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/api/ws`);
    socket.onopen = () => { pause = 500; onState(true); };
    socket.onmessage = (e) => onPush(JSON.parse(e.data) as Push);
    socket.onclose = () => {
      onState(false);
      if (!stopped) { setTimeout(open, pause); pause = Math.min(pause * 2, 10_000); }
    };
  };
  open();
  return () => { stopped = true; socket?.close(); };
}
