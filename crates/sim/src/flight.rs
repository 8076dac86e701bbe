//! Flight kinematics: an aircraft flying its waypoints along great circles.
//!
//! Guidance steers towards the great-circle bearing of the next waypoint, so the track over
//! ground is the great circle. Turns are coordinated at the class's rate limit and fly by the
//! waypoint (the turn starts one turn radius × tan(Δψ/2) before it). Climbs start at once, at
//! the class's rate; descents are spread so the aircraft reaches the waypoint's altitude as it
//! reaches the waypoint. Speed changes at the class's acceleration. Integration is
//! second-order (midpoint heading and speed), so a 1 s step keeps a 10 °/s turn on its circle.

use std::f64::consts::PI;

use vigie_core::geodesy::{meridian_radius_m, prime_vertical_radius_m, wrap_pi, wrap_two_pi};
use vigie_core::{Callsign, Ecef, Mode3A, ModeS};

use crate::aircraft::{AircraftType, Performance};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waypoint {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub speed_mps: f64,
}

/// What a flight's transponder and ADS-B say, at the start.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Identity {
    pub callsign: Option<Callsign>,
    pub mode_s: Option<ModeS>,
    pub squawk: Option<Mode3A>,
    pub transponder: bool,
    pub adsb: bool,
}

/// Where a flight plan came from in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A `[[traffic.flow]]`: scheduled civil traffic.
    Flow,
    /// A `[[flight]]` written out in the scenario.
    Scripted,
    /// A `[[traffic.intruders]]` entry: non-cooperative.
    Intruder,
}

/// Everything needed to fly one aircraft, fixed before the run starts.
#[derive(Debug, Clone, PartialEq)]
pub struct FlightPlan {
    pub target_id: u32,
    pub name: String,
    pub origin: Origin,
    pub aircraft: AircraftType,
    pub start_s: f64,
    pub waypoints: Vec<Waypoint>,
    pub identity: Identity,
    /// Offset of this aircraft's ADS-B broadcasts within each second.
    pub adsb_phase_s: f64,
    /// A gentler turn-rate limit than the class's.
    pub turn_rate_max_deg_s: Option<f64>,
}

impl FlightPlan {
    /// The class's envelope, with this flight's own limits.
    pub fn performance(&self) -> Performance {
        let mut perf = self.aircraft.performance();
        if let Some(rate) = self.turn_rate_max_deg_s {
            perf.turn_rate_max_deg_s = perf.turn_rate_max_deg_s.min(rate);
        }
        perf
    }
}

/// The instantaneous state of a flying aircraft.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinematics {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    /// Course over ground, clockwise from true north.
    pub heading_rad: f64,
    pub speed_mps: f64,
    pub vrate_mps: f64,
    /// The waypoint being flown to.
    pub leg: usize,
    pub arrived: bool,
    /// What stays fixed along the leg, computed once per leg: sin and cos of the waypoint's
    /// latitude, and the course out of it (NaN for the last one).
    leg_cache: LegCache,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct LegCache {
    leg: usize,
    sin_lat: f64,
    cos_lat: f64,
    out_course_rad: f64,
}

impl LegCache {
    fn new(plan: &FlightPlan, leg: usize) -> Self {
        let wp = plan.waypoints[leg];
        let (sin_lat, cos_lat) = wp.lat_deg.to_radians().sin_cos();
        let out_course_rad = plan.waypoints.get(leg + 1).map_or(f64::NAN, |next| {
            sphere_bearing_rad(wp.lat_deg, wp.lon_deg, next.lat_deg, next.lon_deg)
        });
        Self {
            leg,
            sin_lat,
            cos_lat,
            out_course_rad,
        }
    }
}

impl Kinematics {
    pub fn start(plan: &FlightPlan) -> Self {
        let w0 = plan.waypoints[0];
        let w1 = plan.waypoints[1];
        Self {
            lat_deg: w0.lat_deg,
            lon_deg: w0.lon_deg,
            alt_m: w0.alt_m,
            heading_rad: sphere_bearing_rad(w0.lat_deg, w0.lon_deg, w1.lat_deg, w1.lon_deg),
            speed_mps: w0.speed_mps,
            vrate_mps: 0.0,
            leg: 1,
            arrived: false,
            leg_cache: LegCache::new(plan, 1),
        }
    }

    /// Velocity north, east, up.
    pub fn velocity_neu(&self) -> [f64; 3] {
        let (s, c) = self.heading_rad.sin_cos();
        [self.speed_mps * c, self.speed_mps * s, self.vrate_mps]
    }

    /// Position and velocity in ECEF.
    pub fn ecef_state(&self) -> (Ecef, [f64; 3]) {
        let (sin_lat, cos_lat) = self.lat_deg.to_radians().sin_cos();
        let (sin_lon, cos_lon) = self.lon_deg.to_radians().sin_cos();
        let [vn, ve, vu] = self.velocity_neu();
        let v = [
            -sin_lon * ve - sin_lat * cos_lon * vn + cos_lat * cos_lon * vu,
            cos_lon * ve - sin_lat * sin_lon * vn + cos_lat * sin_lon * vu,
            cos_lat * vn + sin_lat * vu,
        ];
        // Geodetic::to_ecef, sharing the sines and cosines above.
        let n = prime_vertical_radius_m(sin_lat);
        let r = (n + self.alt_m) * cos_lat;
        let p = Ecef::new(
            r * cos_lon,
            r * sin_lon,
            (n * (1.0 - vigie_core::geodesy::WGS84_E2) + self.alt_m) * sin_lat,
        );
        (p, v)
    }

    /// Advances the state by `dt_s` along the plan.
    pub fn step(&mut self, plan: &FlightPlan, perf: &Performance, dt_s: f64) {
        if self.arrived {
            return;
        }
        let lat_rad = self.lat_deg.to_radians();
        let (sin_lat, cos_lat) = lat_rad.sin_cos();
        let Some((wp, distance_m, bearing_rad)) =
            self.next_waypoint(plan, perf, dt_s, sin_lat, cos_lat)
        else {
            self.arrived = true;
            return;
        };
        let omega_max = perf.turn_rate_max_rad_s(self.speed_mps);
        let omega = (wrap_pi(bearing_rad - self.heading_rad) / dt_s).clamp(-omega_max, omega_max);
        let dv =
            (wp.speed_mps - self.speed_mps).clamp(-perf.accel_mps2 * dt_s, perf.accel_mps2 * dt_s);
        self.vrate_mps =
            vertical_rate_mps(self.alt_m, wp.alt_m, distance_m, self.speed_mps, perf, dt_s);

        let (sin_h, cos_h) = (self.heading_rad + 0.5 * omega * dt_s).sin_cos();
        let speed_mid = self.speed_mps + 0.5 * dv;
        let north_m = speed_mid * cos_h * dt_s;
        let east_m = speed_mid * sin_h * dt_s;
        let alt_mid_m = self.alt_m + 0.5 * self.vrate_mps * dt_s;
        let dlat_rad = north_m / (meridian_radius_m(sin_lat) + alt_mid_m);
        // The east step at the mid latitude, to first order from the start's sine and cosine.
        let half = 0.5 * dlat_rad;
        let sin_mid = sin_lat + half * cos_lat;
        let cos_mid = cos_lat - half * sin_lat;
        self.lat_deg += dlat_rad.to_degrees();
        self.lon_deg +=
            (east_m / ((prime_vertical_radius_m(sin_mid) + alt_mid_m) * cos_mid)).to_degrees();
        if !(-180.0..180.0).contains(&self.lon_deg) {
            self.lon_deg = vigie_core::geodesy::normalize_lon_deg(self.lon_deg);
        }
        self.alt_m += self.vrate_mps * dt_s;
        self.heading_rad = wrap_two_pi(self.heading_rad + omega * dt_s);
        self.speed_mps += dv;
    }

    /// The waypoint to fly to now, its distance and bearing, switching legs when the fly-by
    /// turn must begin.
    fn next_waypoint(
        &mut self,
        plan: &FlightPlan,
        perf: &Performance,
        dt_s: f64,
        sin_lat: f64,
        cos_lat: f64,
    ) -> Option<(Waypoint, f64, f64)> {
        loop {
            let wp = *plan.waypoints.get(self.leg)?;
            if self.leg_cache.leg != self.leg {
                self.leg_cache = LegCache::new(plan, self.leg);
            }
            let c = self.leg_cache;
            let (distance_m, bearing_rad) = sphere_distance_bearing(
                sin_lat,
                cos_lat,
                self.lon_deg,
                c.sin_lat,
                c.cos_lat,
                wp.lon_deg,
            );
            let lead_m = if c.out_course_rad.is_nan() {
                0.0
            } else {
                let turn = wrap_pi(c.out_course_rad - bearing_rad).abs().min(0.75 * PI);
                self.speed_mps / perf.turn_rate_max_rad_s(self.speed_mps) * (0.5 * turn).tan()
            };
            let behind = wrap_pi(bearing_rad - self.heading_rad).abs() > 0.5 * PI;
            let step_m = self.speed_mps * dt_s;
            if distance_m <= lead_m.max(0.5 * step_m) || (behind && distance_m < 2.0 * step_m) {
                self.leg += 1;
                continue;
            }
            return Some((wp, distance_m, bearing_rad));
        }
    }
}

/// Great-circle distance and initial bearing on the mean sphere, from the sines and cosines
/// of both latitudes: one `sin_cos` and two `atan2` per call.
fn sphere_distance_bearing(
    sin1: f64,
    cos1: f64,
    lon1_deg: f64,
    sin2: f64,
    cos2: f64,
    lon2_deg: f64,
) -> (f64, f64) {
    let (sdl, cdl) = (lon2_deg - lon1_deg).to_radians().sin_cos();
    let y = sdl * cos2;
    let x = cos1 * sin2 - sin1 * cos2 * cdl;
    let central = (y * y + x * x)
        .sqrt()
        .atan2(sin1 * sin2 + cos1 * cos2 * cdl);
    (
        vigie_core::geodesy::EARTH_MEAN_RADIUS_M * central,
        wrap_two_pi(y.atan2(x)),
    )
}

fn vertical_rate_mps(
    alt_m: f64,
    target_m: f64,
    distance_m: f64,
    speed_mps: f64,
    perf: &Performance,
    dt_s: f64,
) -> f64 {
    let dh = target_m - alt_m;
    if dh >= 0.0 {
        return perf.climb_rate_mps.min(dh / dt_s);
    }
    let time_to_go_s = (distance_m / speed_mps.max(1.0)).max(dt_s);
    -(-dh / time_to_go_s)
        .min(perf.descent_rate_mps)
        .min(-dh / dt_s)
}

/// Great-circle distance on the mean sphere: guidance needs no more.
pub fn sphere_distance_m(lat1_deg: f64, lon1_deg: f64, lat2_deg: f64, lon2_deg: f64) -> f64 {
    let (p1, p2) = (lat1_deg.to_radians(), lat2_deg.to_radians());
    let dp = p2 - p1;
    let dl = (lon2_deg - lon1_deg).to_radians();
    let a = (0.5 * dp).sin().powi(2) + p1.cos() * p2.cos() * (0.5 * dl).sin().powi(2);
    2.0 * vigie_core::geodesy::EARTH_MEAN_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Initial great-circle bearing on the sphere, in [0, 2π).
pub fn sphere_bearing_rad(lat1_deg: f64, lon1_deg: f64, lat2_deg: f64, lon2_deg: f64) -> f64 {
    let (p1, p2) = (lat1_deg.to_radians(), lat2_deg.to_radians());
    let dl = (lon2_deg - lon1_deg).to_radians();
    let y = dl.sin() * p2.cos();
    let x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    wrap_two_pi(y.atan2(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Geodetic;

    fn plan(aircraft: AircraftType, waypoints: Vec<Waypoint>) -> FlightPlan {
        FlightPlan {
            target_id: 1,
            name: "t".into(),
            origin: Origin::Scripted,
            aircraft,
            start_s: 0.0,
            waypoints,
            identity: Identity::default(),
            adsb_phase_s: 0.0,
            turn_rate_max_deg_s: None,
        }
    }

    fn fly(p: &FlightPlan, max_s: usize) -> Vec<Kinematics> {
        let perf = p.performance();
        let mut k = Kinematics::start(p);
        let mut out = vec![k];
        for _ in 0..max_s {
            k.step(p, &perf, 1.0);
            if k.arrived {
                break;
            }
            out.push(k);
        }
        out
    }

    #[test]
    fn follows_the_great_circle_and_arrives() {
        let wp = |lat, lon| Waypoint {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 11_000.0,
            speed_mps: 230.0,
        };
        let p = plan(AircraftType::Airliner, vec![wp(13.5, 2.2), wp(17.0, 8.0)]);
        let track = fly(&p, 10_000);
        let last = track.last().unwrap();
        let total = Geodetic::new(13.5, 2.2, 0.0)
            .geodesic_to(Geodetic::new(17.0, 8.0, 0.0))
            .distance_m;
        assert!(sphere_distance_m(last.lat_deg, last.lon_deg, 17.0, 8.0) < 300.0);
        let flown_s = track.len() as f64;
        assert!(
            (flown_s - total * (1.0 + 11_000.0 / 6_371_000.0) / 230.0).abs() < 2.0, // speed is flown at 11 km
            "{flown_s} s for {total} m"
        );
        // Guidance flies the spherical great circle: it stays within 2 km of the ellipsoid geodesic.
        let start = Geodetic::new(13.5, 2.2, 0.0);
        let course = start
            .geodesic_to(Geodetic::new(17.0, 8.0, 0.0))
            .azimuth_start_deg;
        for k in track.iter().step_by(60) {
            let line = start.geodesic_to(Geodetic::new(k.lat_deg, k.lon_deg, 0.0));
            let xt = line.distance_m * (line.azimuth_start_deg - course).to_radians().sin();
            assert!(xt.abs() < 2_000.0, "cross-track {xt} m");
        }
    }

    #[test]
    fn a_fighter_turns_at_its_rate_limit() {
        let wp = |lat, lon| Waypoint {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 6_000.0,
            speed_mps: 250.0,
        };
        let p = plan(
            AircraftType::Fighter,
            vec![wp(15.0, 5.0), wp(15.0, 5.5), wp(14.5, 5.5)],
        );
        let track = fly(&p, 3_000);
        let perf = AircraftType::Fighter.performance();
        let max_rate = perf.turn_rate_max_rad_s(250.0).to_degrees();
        let rates: Vec<f64> = track
            .windows(2)
            .map(|w| {
                wrap_pi(w[1].heading_rad - w[0].heading_rad)
                    .to_degrees()
                    .abs()
            })
            .collect();
        let peak = rates.iter().cloned().fold(0.0, f64::max);
        assert!(
            peak > 4.0 && peak <= max_rate + 1e-9,
            "peak {peak} °/s, limit {max_rate}"
        );
    }

    #[test]
    fn climbs_and_descends_to_the_waypoint_altitudes() {
        let p = plan(
            AircraftType::Airliner,
            vec![
                Waypoint {
                    lat_deg: 13.5,
                    lon_deg: 2.2,
                    alt_m: 200.0,
                    speed_mps: 80.0,
                },
                Waypoint {
                    lat_deg: 15.0,
                    lon_deg: 4.0,
                    alt_m: 10_000.0,
                    speed_mps: 230.0,
                },
                Waypoint {
                    lat_deg: 15.5,
                    lon_deg: 5.0,
                    alt_m: 500.0,
                    speed_mps: 80.0,
                },
            ],
        );
        let track = fly(&p, 10_000);
        let top = track.iter().map(|k| k.alt_m).fold(0.0, f64::max);
        assert!((top - 10_000.0).abs() < 1.0);
        let last = track.last().unwrap();
        assert!(last.alt_m < 1_500.0, "arrived at {} m", last.alt_m);
        assert!(track
            .iter()
            .all(|k| k.vrate_mps <= 12.0 + 1e-9 && k.vrate_mps >= -9.0 - 1e-9));
    }
}
