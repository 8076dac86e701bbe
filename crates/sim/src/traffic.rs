//! Turns a scenario's traffic into flight plans: scripted flights, scheduled flows between
//! airports, and low-level intruders across a border.
//!
//! Flows are simulated only where they matter: inside the region's bounding box widened by a
//! margin. A flight from Paris to Lagos appears where its great circle enters that area, at
//! cruise; a departure from Niamey starts on the runway and climbs; an arrival descends so it
//! reaches the runway's elevation at the airport. Flights already airborne at `t = 0` are
//! flown from their entry during a warm-up before the clock starts, so the first picture is
//! the steady-state one.

use std::collections::HashSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use vigie_core::{Callsign, Geodetic, Mode3A, ModeS};

use crate::aircraft::Performance;
use crate::airports::Airport;
use crate::flight::{sphere_distance_m, FlightPlan, Identity, Origin, Waypoint};
use crate::region::Region;
use vigie_terrain::Dem;

use crate::scenario::{FlightSpec, FlowSpec, IntruderSpec, Place, Problems, Scenario};

const FT_M: f64 = 0.3048;
const KT_MPS: f64 = 1852.0 / 3600.0;
/// Spacing of the samples that find where a great circle crosses the simulated area.
const ROUTE_STEP_M: f64 = 10_000.0;
/// Intruders start this far outside the border.
const INTRUDER_LEAD_IN_M: f64 = 25_000.0;
/// The longest warm-up: no flight stays longer than this in any sensible area.
const WARMUP_MAX_S: f64 = 6.0 * 3600.0;
/// Flights of one flow are at least this far apart in time, as departure slots are.
const FLOW_SPACING_S: f64 = 300.0;
/// The most flights one scenario may hold: far beyond a national day, and a bound on memory.
pub const FLIGHTS_MAX: usize = 250_000;

/// The area where traffic is simulated: a latitude/longitude box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
}

impl Area {
    pub fn around(region: &Region, margin_m: f64) -> Area {
        let [lat_min, lat_max, lon_min, lon_max] = region.bbox_deg();
        let dlat = margin_m / 111_000.0;
        let mid = (0.5 * (lat_min + lat_max)).to_radians().cos().max(0.1);
        let dlon = margin_m / (111_000.0 * mid);
        Area {
            lat_min: lat_min - dlat,
            lat_max: lat_max + dlat,
            lon_min: lon_min - dlon,
            lon_max: lon_max + dlon,
        }
    }

    pub fn contains(&self, g: &Geodetic) -> bool {
        (self.lat_min..=self.lat_max).contains(&g.lat_deg)
            && (self.lon_min..=self.lon_max).contains(&g.lon_deg)
    }
}

/// Flight plans for the whole scenario, and how long to fly them before the clock starts.
#[derive(Debug, Clone)]
pub struct Traffic {
    pub plans: Vec<FlightPlan>,
    pub warmup_s: f64,
}

/// Hands out unique identities.
#[derive(Default)]
pub(crate) struct Registry {
    mode_s: HashSet<u32>,
    squawks: HashSet<u16>,
    callsigns: HashSet<String>,
}

impl Registry {
    fn mode_s(&mut self, rng: &mut ChaCha8Rng) -> Option<ModeS> {
        // FLIGHTS_MAX keeps the address space (16.7 M) sparse: a free one comes quickly.
        for _ in 0..10_000 {
            let a = rng.random_range(1..0xFF_FFFF);
            if self.mode_s.insert(a) {
                return ModeS::new(a);
            }
        }
        None
    }

    /// A discrete code, avoiding the reserved ones (7000, 7500–7777) and codes in use.
    fn squawk(&mut self, rng: &mut ChaCha8Rng) -> Option<Mode3A> {
        for _ in 0..10_000 {
            let v = rng.random_range(0o0100..0o7000);
            if self.squawks.insert(v) {
                return Mode3A::from_octal_value(v);
            }
        }
        None
    }

    fn callsign(&mut self, prefix: &str, rng: &mut ChaCha8Rng) -> Option<Callsign> {
        for _ in 0..10_000 {
            let c = format!("{prefix}{}", rng.random_range(10..10_000));
            if self.callsigns.insert(c.clone()) {
                return Callsign::new(&c);
            }
        }
        None
    }
}

/// Builds every flight plan. Problems are reported by field path, like validation's.
pub fn build(
    s: &Scenario,
    region: &Region,
    airports: &[Airport],
    terrain: Option<&Dem>,
    rng: &mut ChaCha8Rng,
    problems: &mut Problems,
) -> Traffic {
    let area = Area::around(region, s.region.traffic_margin_m);
    let mut reg = Registry {
        mode_s: HashSet::new(),
        squawks: HashSet::new(),
        callsigns: HashSet::new(),
    };
    let mut plans = Vec::new();
    let ground_m = s.region.ground_elevation_m;
    for f in &s.flight {
        let id = plans.len() as u32 + 1;
        plans.push(scripted(f, id, ground_m, &mut reg, rng));
    }
    let routes: Vec<_> = s
        .traffic
        .flow
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let r = route(f, airports, &area);
            if r.is_none() {
                problems.push(
                    format!("traffic.flow[{i}]"),
                    format!(
                        "the route {} → {} never enters the simulated area",
                        f.from, f.to
                    ),
                );
            }
            r.map(|r| (f, r))
        })
        .collect();
    let scripted_warmup = s.flight.iter().map(|f| -f.start_s).fold(0.0, f64::max);
    let warmup_s = routes
        .iter()
        .map(|(f, r)| r.length_m / f.aircraft.performance().cruise_speed_mps)
        .fold(scripted_warmup, f64::max)
        .min(WARMUP_MAX_S);
    let expected: f64 = routes
        .iter()
        .map(|(f, _)| f.per_hour * (warmup_s + s.duration_s) / 3600.0)
        .sum::<f64>()
        + s.traffic
            .intruders
            .iter()
            .map(|i| f64::from(i.count))
            .sum::<f64>();
    if expected > FLIGHTS_MAX as f64 {
        problems.push(
            "traffic",
            format!("about {expected:.0} flights: more than the {FLIGHTS_MAX} a scenario may hold; lower per_hour or count"),
        );
        return Traffic { plans, warmup_s };
    }
    for (flow, r) in &routes {
        for start_s in poisson_times(flow.per_hour, -warmup_s, s.duration_s, rng) {
            let id = plans.len() as u32 + 1;
            plans.push(flow_flight(flow, r, id, start_s, &mut reg, rng));
        }
    }
    for (i, spec) in s.traffic.intruders.iter().enumerate() {
        let Some(border) = region.border_with(&spec.border) else {
            continue;
        };
        let Some(target) = place(&spec.target, airports) else {
            problems.push(format!("traffic.intruders[{i}].target"), "unknown place");
            continue;
        };
        let near: Vec<_> = border
            .into_iter()
            .filter(|[a, b]| {
                let mid = Geodetic::new(0.5 * (a[1] + b[1]), 0.5 * (a[0] + b[0]), 0.0);
                spec.within_m
                    .is_none_or(|w| mid.geodesic_to(target).distance_m <= w)
            })
            .collect();
        if near.is_empty() {
            problems.push(
                format!("traffic.intruders[{i}].within_m"),
                format!(
                    "no stretch of the {} border lies that close to the target",
                    spec.border
                ),
            );
            continue;
        }
        for _ in 0..spec.count {
            let id = plans.len() as u32 + 1;
            plans.push(intruder(spec, &near, target, id, ground_m, terrain, rng));
        }
    }
    plans.sort_by(|a, b| {
        a.start_s
            .total_cmp(&b.start_s)
            .then(a.target_id.cmp(&b.target_id))
    });
    Traffic { plans, warmup_s }
}

fn place(p: &Place, airports: &[Airport]) -> Option<Geodetic> {
    match p {
        Place::Airport(code) => airports
            .iter()
            .find(|a| &a.icao == code)
            .map(|a| a.position),
        Place::Point { lat_deg, lon_deg } => Some(Geodetic::new(*lat_deg, *lon_deg, 0.0)),
    }
}

/// Event times of a Poisson process of `per_hour` over `[from_s, to_s)`, with a dead time
/// of [`FLOW_SPACING_S`] after each event (the rate is kept: the random part is shortened).
fn poisson_times(per_hour: f64, from_s: f64, to_s: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    if per_hour <= 0.0 {
        return Vec::new();
    }
    let mean_gap_s = 3600.0 / per_hour;
    let dead_s = FLOW_SPACING_S.min(0.5 * mean_gap_s);
    let Ok(exp) = Exp::new(1.0 / (mean_gap_s - dead_s)) else {
        return Vec::new();
    };
    // Start the process one gap early so the first flight's time is stationary too.
    let mut t = from_s - dead_s;
    let mut out = Vec::new();
    loop {
        t += dead_s + exp.sample(rng);
        if t >= to_s {
            return out;
        }
        out.push(t);
    }
}

pub(crate) fn scripted(
    f: &FlightSpec,
    id: u32,
    ground_m: f64,
    reg: &mut Registry,
    rng: &mut ChaCha8Rng,
) -> FlightPlan {
    let perf = f.aircraft.performance();
    let given_speed =
        |w: &crate::scenario::WaypointSpec| w.speed_mps.or(w.speed_kt.map(|v| v * KT_MPS));
    let first_speed = f
        .waypoint
        .iter()
        .find_map(given_speed)
        .unwrap_or(perf.cruise_speed_mps);
    let mut last_speed = first_speed;
    let waypoints = f
        .waypoint
        .iter()
        .map(|w| {
            last_speed = given_speed(w).unwrap_or(last_speed);
            Waypoint {
                lat_deg: w.lat_deg,
                lon_deg: w.lon_deg,
                alt_m: w
                    .alt_m
                    .or(w.alt_ft.map(|ft| ft * FT_M))
                    .or(w.height_agl_m.map(|h| ground_m + h))
                    .unwrap_or(perf.cruise_alt_m),
                speed_mps: last_speed,
            }
        })
        .collect();
    let transponder = f.transponder;
    let identity = Identity {
        callsign: f.callsign.as_deref().and_then(Callsign::new),
        mode_s: match &f.mode_s {
            Some(m) => ModeS::parse(m),
            None if transponder || f.adsb => reg.mode_s(rng),
            None => None,
        },
        squawk: match &f.squawk {
            Some(c) => Mode3A::parse(c),
            None if transponder => reg.squawk(rng),
            None => None,
        },
        transponder,
        adsb: f.adsb,
    };
    FlightPlan {
        target_id: id,
        name: f.name.clone(),
        origin: Origin::Scripted,
        aircraft: f.aircraft,
        start_s: f.start_s,
        waypoints,
        identity,
        adsb_phase_s: rng.random(),
        turn_rate_max_deg_s: f.turn_rate_max_deg_s,
    }
}

/// A flow's path through the area, computed once for all its flights.
#[derive(Debug, Clone)]
struct Route {
    start: Geodetic,
    end: Geodetic,
    departs_inside: bool,
    arrives_inside: bool,
    length_m: f64,
}

fn route(flow: &FlowSpec, airports: &[Airport], area: &Area) -> Option<Route> {
    let from = airports.iter().find(|a| a.icao == flow.from)?.position;
    let to = airports.iter().find(|a| a.icao == flow.to)?.position;
    let line = from.geodesic_to(to);
    let n = (line.distance_m / ROUTE_STEP_M).ceil().max(1.0) as usize;
    let inside: Vec<(f64, Geodetic)> = (0..=n)
        .map(|i| {
            let d = line.distance_m * i as f64 / n as f64;
            (d, from.destination(line.azimuth_start_deg, d))
        })
        .filter(|(_, g)| area.contains(g))
        .collect();
    let (&(d0, g0), &(d1, g1)) = (inside.first()?, inside.last()?);
    let departs_inside = area.contains(&from);
    let arrives_inside = area.contains(&to);
    Some(Route {
        start: if departs_inside { from } else { g0 },
        end: if arrives_inside { to } else { g1 },
        departs_inside,
        arrives_inside,
        length_m: (d1 - d0).max(ROUTE_STEP_M),
    })
}

fn flow_flight(
    flow: &FlowSpec,
    r: &Route,
    id: u32,
    start_s: f64,
    reg: &mut Registry,
    rng: &mut ChaCha8Rng,
) -> FlightPlan {
    let perf = flow.aircraft.performance();
    let cruise_ft = flow.cruise_alt_ft.unwrap_or(perf.cruise_alt_m / FT_M);
    let course_deg = r.start.geodesic_to(r.end).azimuth_start_deg;
    let cruise_m = flight_level_ft(cruise_ft, course_deg, perf.ceiling_m / FT_M, rng) * FT_M;
    let waypoints = flow_waypoints(r, &perf, cruise_m);
    let adsb_share = flow.adsb_share.unwrap_or(perf.adsb_share);
    let identity = Identity {
        callsign: reg.callsign(&flow.callsign_prefix, rng),
        mode_s: reg.mode_s(rng),
        squawk: reg.squawk(rng),
        transponder: true,
        adsb: rng.random::<f64>() < adsb_share,
    };
    FlightPlan {
        target_id: id,
        name: format!("{}-{}", flow.from, flow.to),
        origin: Origin::Flow,
        aircraft: flow.aircraft,
        start_s,
        waypoints,
        identity,
        adsb_phase_s: rng.random(),
        turn_rate_max_deg_s: None,
    }
}

/// A cruising level near `cruise_ft` that obeys the semicircular rule: odd thousands of
/// feet eastbound (course 0–179°), even thousands westbound.
fn flight_level_ft(cruise_ft: f64, course_deg: f64, ceiling_ft: f64, rng: &mut ChaCha8Rng) -> f64 {
    let eastbound = course_deg.rem_euclid(360.0) < 180.0;
    let mut thousands = (cruise_ft / 1000.0).round() as i64;
    if (thousands.rem_euclid(2) == 1) != eastbound {
        thousands -= 1;
    }
    let step = [-2, 0, 2][rng.random_range(0..3)];
    let ft = ((thousands + step) * 1000) as f64;
    if ft > ceiling_ft || ft < 1000.0 {
        (thousands * 1000) as f64
    } else {
        ft
    }
}

fn flow_waypoints(r: &Route, perf: &Performance, cruise_m: f64) -> Vec<Waypoint> {
    let wp = |g: Geodetic, alt_m, speed_mps| Waypoint {
        lat_deg: g.lat_deg,
        lon_deg: g.lon_deg,
        alt_m,
        speed_mps,
    };
    let cruise_v = perf.cruise_speed_mps;
    let mut out = vec![if r.departs_inside {
        wp(r.start, r.start.alt_m, perf.approach_speed_mps)
    } else {
        wp(r.start, cruise_m, cruise_v)
    }];
    if r.arrives_inside {
        // Descend at 80 % of the class's rate, at three quarters of cruise speed on average.
        let leg = r.start.geodesic_to(r.end);
        let descent_speed = 0.75 * cruise_v;
        let rate = 0.8 * perf.descent_rate_mps;
        let top_m = (cruise_m - r.end.alt_m).min(0.45 * leg.distance_m * rate / descent_speed);
        let tod_m = top_m / rate * descent_speed;
        let back = r.end.geodesic_to(r.start).azimuth_start_deg;
        let tod = r.end.destination(back, tod_m);
        out.push(wp(tod, r.end.alt_m + top_m, cruise_v));
        out.push(wp(r.end, r.end.alt_m, perf.approach_speed_mps));
    } else {
        out.push(wp(r.end, cruise_m, cruise_v));
    }
    out
}

fn intruder(
    spec: &IntruderSpec,
    border: &[[[f64; 2]; 2]],
    target: Geodetic,
    id: u32,
    ground_m: f64,
    terrain: Option<&Dem>,
    rng: &mut ChaCha8Rng,
) -> FlightPlan {
    let perf = spec.aircraft.performance();
    let speed = spec.speed_mps.unwrap_or(perf.cruise_speed_mps);
    let crossing = point_on_border(border, rng);
    let inbound = target.geodesic_to(crossing);
    let start = target.destination(
        inbound.azimuth_start_deg,
        inbound.distance_m + INTRUDER_LEAD_IN_M,
    );
    let agl = spec.height_agl_m;
    // Over terrain, an intruder holds its height above the highest ground of the next leg.
    let alt_at = |from: Geodetic, to: Geodetic| match terrain {
        Some(dem) => terrain_ahead(dem, from, to).unwrap_or(ground_m) + agl,
        None => ground_m + agl,
    };
    let wp = |g: Geodetic, alt_m: f64| Waypoint {
        lat_deg: g.lat_deg,
        lon_deg: g.lon_deg,
        alt_m,
        speed_mps: speed,
    };
    let mut waypoints = vec![wp(start, alt_at(start, crossing))];
    for (a, b) in [(start, crossing), (crossing, target)] {
        for leg in legs(a, b, TERRAIN_LEG_M) {
            waypoints.push(wp(leg.1, alt_at(leg.0, leg.1)));
        }
    }
    let crossing_s = spec.start_s[0] + rng.random::<f64>() * (spec.start_s[1] - spec.start_s[0]);
    FlightPlan {
        target_id: id,
        name: format!("intruder-{}-{id}", spec.border),
        origin: Origin::Intruder,
        aircraft: spec.aircraft,
        start_s: crossing_s - INTRUDER_LEAD_IN_M / speed,
        waypoints,
        identity: Identity::default(),
        adsb_phase_s: rng.random(),
        turn_rate_max_deg_s: None,
    }
}

/// The legs terrain following splits a route into.
const TERRAIN_LEG_M: f64 = 8_000.0;

/// `a` to `b` in legs of at most `leg_m` along the geodesic; one leg without terrain to
/// follow is the whole route.
fn legs(a: Geodetic, b: Geodetic, leg_m: f64) -> Vec<(Geodetic, Geodetic)> {
    let g = a.geodesic_to(b);
    let n = (g.distance_m / leg_m).ceil().max(1.0) as usize;
    let point = |i: usize| a.destination(g.azimuth_start_deg, g.distance_m * i as f64 / n as f64);
    (0..n)
        .map(|i| (point(i), if i + 1 == n { b } else { point(i + 1) }))
        .collect()
}

/// The highest ground between two points, sampled every kilometre.
fn terrain_ahead(dem: &Dem, a: Geodetic, b: Geodetic) -> Option<f64> {
    let g = a.geodesic_to(b);
    let n = (g.distance_m / 1_000.0).ceil() as usize;
    (0..=n)
        .filter_map(|i| {
            let p = a.destination(
                g.azimuth_start_deg,
                g.distance_m * i as f64 / n.max(1) as f64,
            );
            dem.height(p.lat_deg, p.lon_deg)
        })
        .reduce(f64::max)
}

/// A point on the border, uniform along its length.
fn point_on_border(segments: &[[[f64; 2]; 2]], rng: &mut ChaCha8Rng) -> Geodetic {
    let lengths: Vec<f64> = segments
        .iter()
        .map(|[a, b]| sphere_distance_m(a[1], a[0], b[1], b[0]))
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (seg, len) in segments.iter().zip(&lengths) {
        if u <= *len {
            let s = if *len > 0.0 { u / len } else { 0.0 };
            return lerp_lon_lat(seg, s);
        }
        u -= len;
    }
    lerp_lon_lat(&segments[segments.len() - 1], 1.0)
}

fn lerp_lon_lat([a, b]: &[[f64; 2]; 2], s: f64) -> Geodetic {
    Geodetic::new(a[1] + s * (b[1] - a[1]), a[0] + s * (b[0] - a[0]), 0.0)
}
